package dev.swan.eval.tokenizer;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.swan.api.StoredModel;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.testkit.SharedModels;
import dev.swan.eval.EvalInputs;
import dev.swan.format.gguf.GgufFormat;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every tokenizer source of the shared models gives llama.cpp's own ids for the shared texts. */
class SharedTokenizersTest {
    static final String STORIES_TEXT = "tinystories/tinystories-valid-excerpt.txt";
    static final String STORIES_IDS = "tinystories/tinystories-valid-excerpt.stories260K.ids";
    static final String BOOK_TEXT = "gutenberg/frankenstein-excerpt.txt";
    static final String BOOK_IDS = "gutenberg/frankenstein-excerpt.qwen3-gutenberg-4m.ids";

    static ModelConfig config(Path dir) {
        try (ModelDir m = ModelFolder.open(dir)) {
            return m.config();
        }
    }

    static void same(String ids, String text, Tokenizer t) throws Exception {
        assertArrayEquals(EvalInputs.ids(SharedModels.eval(ids)), t.encode(EvalInputs.text(SharedModels.eval(text))), t.describe());
    }

    @Test
    void stories260KTokenizerJson() throws Exception {
        Path dir = SharedModels.model("stories260K");
        same(STORIES_IDS, STORIES_TEXT, Tokenizers.fromDirectory(dir, config(dir)).orElseThrow());
        same("tinystories/tinystories-train-head.stories260K.ids", "tinystories/tinystories-train-head.txt",
                Tokenizers.fromDirectory(dir, config(dir)).orElseThrow());
    }

    @Test
    void qwen3GutenbergTokenizerModelAndTokenizerJson() throws Exception {
        Path dir = SharedModels.model("qwen3-gutenberg-4m");
        same(BOOK_IDS, BOOK_TEXT, Tokenizers.fromDirectory(dir, config(dir)).orElseThrow());
        same(BOOK_IDS, BOOK_TEXT, Tokenizers.tokenizerJson(dir.resolve("tokenizer.json"),
                Map.of("add_bos_token", true), config(dir)));
    }

    @Test
    void vocabulariesInsideLlamaCppsGgufFiles() throws Exception {
        Path lq = SharedModels.sharedDir().resolve("models/llama-quantize");
        try (StoredModel s = new GgufFormat().openStored(lq.resolve("stories260K-Q8_0.gguf")).orElseThrow();
             StoredModel q = new GgufFormat().openStored(lq.resolve("qwen3-gutenberg-4m-Q8_0.gguf")).orElseThrow()) {
            same(STORIES_IDS, STORIES_TEXT, Tokenizers.of(s.vocabulary().orElseThrow(), "stories260K-Q8_0.gguf"));
            same(BOOK_IDS, BOOK_TEXT, Tokenizers.of(q.vocabulary().orElseThrow(), "qwen3-gutenberg-4m-Q8_0.gguf"));
        }
    }
}
