package dev.swan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.SyntheticModel;
import dev.swan.testkit.SharedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental decoding (one token at a time, cached keys and values) gives the logits the full causal pass
 * gives at each position (several sequences in lockstep too), and resuming a pass at a layer from its residual stream gives the full pass.
 */
class SessionTest {
    @TempDir
    Path tmp;

    static void same(Path dir) {
        try (HfStoredModel m = HfStoredModel.open(dir)) {
            Transformer t = Transformer.of(m);
            int[] tokens = new int[40];
            for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 37 + 1) % 500;
            float[] full = t.logits(tokens, 0, tokens.length, Parallel.sequential());
            int v = t.vocabSize();
            int n = tokens.length;
            Transformer.Session s = t.session(n);
            for (int p = 0; p < n; p++) {
                float[] step = s.next(tokens[p], Parallel.sequential());
                double worst = 0, scale = 0;
                for (int i = 0; i < v; i++) {
                    worst = Math.max(worst, Math.abs(step[i] - full[i * n + p]));
                    scale = Math.max(scale, Math.abs(full[i * n + p]));
                }
                assertTrue(worst <= 1e-4 * Math.max(1, scale), dir.getFileName() + " position " + p + ": " + worst);
            }
            // three sequences in lockstep: each gets what its own pass gives
            int[][] three = new int[3][n];
            for (int b = 0; b < 3; b++) for (int p = 0; p < n; p++) three[b][p] = (p * (31 + 6 * b) + 1 + b) % 500;
            float[][] alone = new float[3][];
            for (int b = 0; b < 3; b++) alone[b] = t.logits(three[b], 0, n, Parallel.sequential());
            Transformer.Session lockstep = t.session(3, n);
            for (int p = 0; p < n; p++) {
                float[] step = lockstep.next(new int[] {three[0][p], three[1][p], three[2][p]}, Parallel.sequential());
                for (int b = 0; b < 3; b++) {
                    double worst = 0, scale = 0;
                    for (int i = 0; i < v; i++) {
                        worst = Math.max(worst, Math.abs(step[i * 3 + b] - alone[b][i * n + p]));
                        scale = Math.max(scale, Math.abs(alone[b][i * n + p]));
                    }
                    assertTrue(worst <= 1e-4 * Math.max(1, scale), dir.getFileName() + " sequence " + b + " position " + p + ": " + worst);
                }
            }
            // the block cache: a prefix once, a continuation, cut back, another continuation; each block's logits
            // are the full pass's at those positions (within float rounding: the cache sums attention in double)
            Transformer.Cache cache = t.cache(n);
            float[] prefix = cache.extend(java.util.Arrays.copyOf(tokens, 17), 0, Parallel.sequential());
            close(prefix, 17, 0, full, n, v, dir + " prefix");
            float[] cont = cache.extend(java.util.Arrays.copyOfRange(tokens, 17, 27), 0, Parallel.sequential());
            close(cont, 10, 17, full, n, v, dir + " continuation");
            cache.rewind(17);
            float[] rest = cache.extend(java.util.Arrays.copyOfRange(tokens, 17, n), 3, Parallel.sequential());
            close(rest, n - 20, 20, full, n, v, dir + " after rewinding");
            float[][] r = t.residuals(tokens, Parallel.sequential());
            for (int layer = 0; layer <= t.layers(); layer++) {
                float[] resumed = t.logitsFrom(layer, r[layer], n, 0, n, Parallel.sequential());
                for (int i = 0; i < full.length; i++) assertEquals(full[i], resumed[i], 0f, "resumed at layer " + layer);
            }
        }
    }

    /** Block logits (s positions from {@code at}, feature-major) against the full pass's at the same positions. */
    static void close(float[] block, int s, int at, float[] full, int n, int v, String what) {
        for (int p = 0; p < s; p++) {
            double worst = 0, scale = 0;
            for (int i = 0; i < v; i++) {
                worst = Math.max(worst, Math.abs(block[i * s + p] - full[i * n + at + p]));
                scale = Math.max(scale, Math.abs(full[i * n + at + p]));
            }
            assertTrue(worst <= 1e-4 * Math.max(1, scale), what + " position " + (at + p) + ": " + worst);
        }
    }

    @Test
    void llamaWithGroupedQueryAttention() {
        same(SharedModels.model("stories260K"));
    }

    @Test
    void qwen3WithHeadNorms() throws Exception {
        SyntheticModel.write(SyntheticModel.qwen3(), tmp.resolve("q"));
        same(tmp.resolve("q"));
    }

    @Test
    void mixturesOfExperts() throws Exception {
        SyntheticModel.write(SyntheticModel.qwen3Moe(), tmp.resolve("q3m"));
        same(tmp.resolve("q3m"));
        SyntheticModel.write(SyntheticModel.qwen2Moe(), tmp.resolve("q2m"));
        same(tmp.resolve("q2m"));
        SyntheticModel.write(SyntheticModel.mixtral(), tmp.resolve("mx"));
        same(tmp.resolve("mx"));
        SyntheticModel.Spec stacked = SyntheticModel.qwen3Moe().withMoe(SyntheticModel.qwen3Moe().moe().withStacked(true));
        SyntheticModel.write(stacked, tmp.resolve("q3s"));
        same(tmp.resolve("q3s"));
    }
}
