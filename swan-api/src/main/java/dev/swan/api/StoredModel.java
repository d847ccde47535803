package dev.swan.api;

import dev.swan.api.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A model read back as it is stored (float, block-quantized or bit-packed), so that it can be run and
 * scored without first expanding it to float: an evaluator decodes a few rows at a time inside its
 * products. Formats offer it through {@link OutputFormat#openStored}; whoever wrote the file.
 *
 * <p>Names, shapes and row order are those of the Hugging Face checkpoint the file stands for
 * ({@code model.layers.0.self_attn.q_proj.weight}, rows × columns), whatever the file calls them, so one
 * forward pass serves every format. Implementations are thread-safe for reading.
 */
public interface StoredModel extends AutoCloseable {

    /** The file or directory that was opened. */
    Path path();

    /**
     * The architecture in Hugging Face {@code config.json} terms ({@code architectures}, {@code hidden_size},
     * {@code num_attention_heads}, {@code rope_theta}, {@code tie_word_embeddings}, ...), translated from the
     * file's own metadata where it has no config.json.
     */
    ModelConfig config();

    /** Every weight by its Hugging Face name, in file order. */
    Map<String, StoredTensor> tensors();

    /** The vocabulary stored inside the file (GGUF carries one); empty where tokenizer files sit beside it. */
    default Optional<Vocabulary> vocabulary() {
        return Optional.empty();
    }

    /**
     * The chat template stored inside the file (a GGUF's {@code tokenizer.chat_template}); empty where
     * tokenizer files sit beside it. Since SPI 1.9.
     */
    default Optional<String> chatTemplate() {
        return Optional.empty();
    }

    /** Bytes on disk: the file, or a directory's weight files. */
    long fileBytes();

    @Override
    void close();
}
