package dev.swan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.SharedModels;
import dev.swan.eval.tokenizer.Tokenizer;
import dev.swan.eval.tokenizer.Tokenizers;
import dev.swan.format.gguf.GgufFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The forward pass and protocol against published figures: llama-perplexity on stories260K (F32 5.4280,
 * and its Q4_0 / Q4_K_M presets), and the numpy reference of models/README.md for qwen3-gutenberg-4m and
 * llama-quantize's files of it (PPL, mean KL divergence, top-1 agreement).
 */
class ReferenceModelsTest {
    static final ForkJoinPool POOL = new ForkJoinPool(2);
    static final Parallel PAR = Parallel.of(POOL);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    static List<Perplexity.Result> score(List<Path> models, Path base, int[] ids, int bos, int ctx) throws Exception {
        List<StoredModel> open = new ArrayList<>();
        try {
            List<Perplexity.Entry> entries = new ArrayList<>();
            for (Path p : models) entries.add(new Perplexity.Entry(p.getFileName().toString(), Transformer.of(open(p, open))));
            Optional<Perplexity.Entry> b = base == null ? Optional.empty()
                    : Optional.of(new Perplexity.Entry("base", Transformer.of(open(base, open))));
            return Perplexity.run(entries, b, ids, bos, new Perplexity.Settings(ctx, 0), ProgressSink.NONE, PAR);
        } finally {
            open.forEach(StoredModel::close);
        }
    }

    private static StoredModel open(Path p, List<StoredModel> open) throws Exception {
        StoredModel m = p.toString().endsWith(".gguf") ? new GgufFormat().openStored(p).orElseThrow() : HfStoredModel.open(p);
        open.add(m);
        return m;
    }

    static void near(double expected, double actual, double relative, String what) {
        assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected), what + ": " + actual + " vs " + expected);
    }

    @Test
    void stories260KPerplexityEqualsLlamaPerplexityFromIdsAndFromText() throws Exception {
        Path dir = SharedModels.model("stories260K");
        int[] ids = EvalInputs.ids(SharedModels.eval("tinystories/tinystories-valid-excerpt.stories260K.ids"));
        Tokenizer tok;
        try (HfStoredModel m = HfStoredModel.open(dir)) {
            tok = Tokenizers.fromDirectory(dir, m.config()).orElseThrow();
        }
        int[] fromText = tok.encode(EvalInputs.text(SharedModels.eval("tinystories/tinystories-valid-excerpt.txt")));
        for (int[] input : List.of(ids, fromText)) {
            Perplexity.Result r = score(List.of(dir), null, input, tok.bos(), 256).get(0);
            near(5.4280, r.ppl(), 0.0005, "F32 PPL (llama-perplexity 5.4280)");
            assertEquals(60 * 127, r.scored());
        }
    }

    @Test
    void llamaCppsOwnStories260KFilesReadAsLlamaCppRunsThem() throws Exception {
        Path lq = SharedModels.sharedDir().resolve("models/llama-quantize");
        int[] ids = EvalInputs.ids(SharedModels.eval("tinystories/tinystories-valid-excerpt.stories260K.ids"));
        List<Perplexity.Result> r = score(List.of(lq.resolve("stories260K-F32.gguf"), lq.resolve("stories260K-Q4_0.gguf"),
                lq.resolve("stories260K-Q4_K_M.gguf")), SharedModels.model("stories260K"), ids, 1, 256);
        // llama2.c's interleaved q/k rows, converted by llama.cpp, read back in Hugging Face order: the same model
        assertTrue(r.get(1).klMax() < 1e-6, "F32 GGUF vs safetensors: KL " + r.get(1).klMax());
        near(5.924, r.get(2).ppl(), 0.005, "llama.cpp Q4_0 preset (llama.cpp: 5.924)");
        near(5.535, r.get(3).ppl(), 0.005, "llama.cpp Q4_K_M recipe (llama.cpp: 5.535)");
    }

    @Test
    void qwen3GutenbergAndLlamaQuantizesFilesMatchTheReferenceTable() throws Exception {
        Path lq = SharedModels.sharedDir().resolve("models/llama-quantize");
        int[] ids = EvalInputs.ids(SharedModels.eval("gutenberg/frankenstein-excerpt.qwen3-gutenberg-4m.ids"));
        List<Perplexity.Result> r = score(List.of(lq.resolve("qwen3-gutenberg-4m-Q4_K_M.gguf"),
                lq.resolve("qwen3-gutenberg-4m-Q2_K.gguf")), SharedModels.model("qwen3-gutenberg-4m"), ids, 1, 256);
        near(34.9736, r.get(0).ppl(), 0.0005, "F32 PPL (numpy 34.9736, llama.cpp 34.9735)");
        assertEquals(123 * 127, r.get(0).scored());
        // models/README.md: Q4_K_M KLD 0.01163, PPL 35.269, top-1 91.8 %; Q2_K 0.18557, 40.696, 70.2 %
        near(0.01163, r.get(1).klMean(), 0.01, "Q4_K_M KLD");
        near(35.269, r.get(1).ppl(), 0.0005, "Q4_K_M PPL");
        near(0.918, r.get(1).top1(), 0.003, "Q4_K_M top-1");
        near(0.18557, r.get(2).klMean(), 0.01, "Q2_K KLD");
        near(40.696, r.get(2).ppl(), 0.0005, "Q2_K PPL");
        near(0.702, r.get(2).top1(), 0.003, "Q2_K top-1");
        assertTrue(r.get(1).klP99() > r.get(1).klMean() && r.get(1).klMax() >= r.get(1).klP99());
    }
}
