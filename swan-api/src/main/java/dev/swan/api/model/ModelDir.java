package dev.swan.api.model;

import dev.swan.api.ModelFormatException;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face model directory opened for reading, as formats see it: {@code config.json}, the
 * safetensors weights (one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}), and the side files (generation config, tokenizer, chat template)
 * that writers copy. The host opens it (headers only) and closes it; implementations are thread-safe for
 * reading.
 */
public interface ModelDir extends AutoCloseable {
    String CONFIG = "config.json";
    String SINGLE = "model.safetensors";
    String INDEX = "model.safetensors.index.json";

    /** Tokenizer-related file names that outputs carry along unchanged. */
    List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", "added_tokens.json", "tokenizer.model",
            "chat_template.jinja", "chat_template.json");

    /** The folder that was opened. */
    Path path();

    /**
     * Where the model was opened from, as the user named it: the folder, or the URI of the remote file
     * system it is read through (then {@link #path()} is a local folder holding its small files only).
     *
     * @since SPI 1.4
     */
    default String location() {
        return path().toString();
    }

    /** The model's name in reports: the folder's name, or the Hub id it was opened by. */
    String name();

    ModelConfig config();

    /** {@code generation_config.json}, or an empty map when absent. */
    Map<String, Object> generationConfig();

    /** Every tensor, shard by shard in data order. */
    List<TensorInfo> tensors();

    default Optional<TensorInfo> find(String name) {
        for (TensorInfo t : tensors()) if (t.name().equals(name)) return Optional.of(t);
        return Optional.empty();
    }

    default TensorInfo tensor(String name) {
        return find(name).orElseThrow(() -> new ModelFormatException(path(), name, "no such tensor in this model"));
    }

    /** The tensor's data, mapped from its file: for reading a few tensors, or parts of one. */
    TensorData data(TensorInfo info);

    default TensorData data(String name) {
        return data(tensor(name));
    }

    /**
     * The tensor's data through positional reads rather than a mapping: what a pass over a whole model
     * (analysis, writing an output) should use, so the process's resident memory does not grow with the
     * model (mapped pages stay resident until the garbage collector unmaps them).
     */
    TensorData stream(TensorInfo info);

    /** What the tensor is (attention projection, MLP, embedding, norm, ...), from its name and rank. */
    TensorClass classOf(TensorInfo info);

    /** The weight files, in data order. */
    List<Path> shardFiles();

    /** A weight file's {@code __metadata__}; empty for a file not of this model. */
    Map<String, String> shardMetadata(Path shard);

    /** Tokenizer files present in the directory, in {@link #TOKENIZER_FILES} order. */
    List<Path> tokenizerFiles();

    /** Side files outputs copy verbatim: generation config and any {@code *.py} model code. */
    List<Path> sideFiles();

    default long totalParameters() {
        long n = 0;
        for (TensorInfo t : tensors()) n += t.numel();
        return n;
    }

    default long totalBytes() {
        long n = 0;
        for (TensorInfo t : tensors()) n += t.byteSize();
        return n;
    }

    /** The float dtype holding most parameters (the model's working precision). */
    default DType dominantFloatType() {
        Map<DType, Long> count = new EnumMap<>(DType.class);
        for (TensorInfo t : tensors()) {
            if (t.dtype().isFloat()) count.merge(t.dtype(), t.numel(), Long::sum);
        }
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(config().torchDtype().orElse(DType.F32));
    }

    @Override
    void close();
}
