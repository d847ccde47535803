package dev.swan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.testkit.SyntheticModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backward pass behind the Fisher sensitivities, checked against finite differences of the forward
 * pass itself: for every kind of weight of every architecture the forward pass runs (embedding, q/k/v with
 * biases, qwen3's q/k norms, o, the gated MLP, routers, experts, the shared expert and its gate, tied and
 * untied heads), the loss's derivative along the computed gradient is its norm, and along a random
 * direction its projection.
 */
class FisherGradientTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("llama", SyntheticModel.llama()),
                Arguments.of("qwen2", SyntheticModel.qwen2()),
                Arguments.of("qwen3", SyntheticModel.qwen3()),
                Arguments.of("qwen3_moe", SyntheticModel.qwen3Moe()),
                Arguments.of("qwen2_moe", SyntheticModel.qwen2Moe()),
                Arguments.of("mixtral", SyntheticModel.mixtral()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void gradientsMatchFiniteDifferences(String name, SyntheticModel.Spec spec) throws Exception {
        Path dir = tmp.resolve(name);
        SyntheticModel.write(spec.withDtype(dev.swan.api.tensor.DType.F32), dir);
        ForkJoinPool pool = new ForkJoinPool(2);
        try (HfStoredModel model = HfStoredModel.open(dir)) {
            Parallel par = Parallel.of(pool);
            Transformer tf = Transformer.of(model);
            int vocab = tf.vocabSize();
            SeededRandom r = new SeededRandom(7);
            int[][] texts = new int[2][];
            int[][] labels = new int[2][];
            for (int s = 0; s < 2; s++) {
                texts[s] = new int[9 + 3 * s];
                labels[s] = new int[texts[s].length];
                for (int p = 0; p < texts[s].length; p++) {
                    texts[s][p] = (int) (r.nextDouble() * vocab);
                    labels[s][p] = (int) (r.nextDouble() * vocab);
                }
            }
            FisherSums sums = FisherSums.keepingGradients();
            FisherInformation.run(tf, texts, 1, FisherInformation.OutputProbe.labels(q -> labels[q]), sums, null, ProgressSink.NONE, par);
            List<String> checked = new java.util.ArrayList<>();
            for (String w : sums.all().keySet()) {
                if (!representative(w, spec.moe() != null)) continue;
                float[] g = sums.gradient(w);
                double norm = 0;
                for (float v : g) norm += (double) v * v;
                norm = Math.sqrt(norm);
                assertTrue(norm > 0, w + ": zero gradient");
                float[] along = new float[g.length];
                for (int i = 0; i < g.length; i++) along[i] = (float) (g[i] / norm);
                float[] random = new float[g.length];
                SeededRandom rr = new SeededRandom(SeededRandom.seedFor(1, w, "direction"));
                double rn = 0;
                for (int i = 0; i < g.length; i++) rn += (random[i] = (float) rr.nextGaussian()) * (double) random[i];
                double dot = 0;
                for (int i = 0; i < g.length; i++) {
                    random[i] = (float) (random[i] / Math.sqrt(rn));
                    dot += (double) g[i] * random[i];
                }
                double fdAlong = derivative(model, w, along, texts, labels, par);
                double fdRandom = derivative(model, w, random, texts, labels, par);
                assertEquals(norm, fdAlong, 2e-2 * norm, name + " " + w + ": derivative along the gradient");
                assertEquals(dot, fdRandom, 2e-2 * norm, name + " " + w + ": derivative along a random direction");
                checked.add(w);
            }
            assertTrue(checked.size() >= 6, "checked " + checked);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * With one sequence the statistics are the gradient's own: the trace is ‖G‖², row and column sums its
     * rows' and columns' squared norms (tied heads and embeddings, experts, biases' layers included).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void statisticsAreTheGradientsSquares(String name, SyntheticModel.Spec spec) throws Exception {
        Path dir = tmp.resolve(name);
        SyntheticModel.write(spec, dir);
        try (HfStoredModel model = HfStoredModel.open(dir)) {
            Transformer tf = Transformer.of(model);
            int[][] texts = {{1, 17, 5, 300, 42, 9, 77, 5, 1, 8, 64}};
            FisherSums sums = FisherSums.keepingGradients();
            FisherInformation.run(tf, texts, 1, FisherInformation.OutputProbe.labels(q -> new int[] {3, 9, 11, 400, 2, 0, 5, 6, 7, 8, 9}), sums,
                    null, ProgressSink.NONE, Parallel.sequential());
            for (Map.Entry<String, FisherStats> e : sums.all().entrySet()) {
                FisherStats f = e.getValue();
                float[] g = sums.gradient(e.getKey());
                int rows = f.rowSums().length;
                int cols = f.colSums().length;
                double trace = 0;
                double[] r = new double[rows];
                double[] c = new double[cols];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        double v = (double) g[i * cols + j] * g[i * cols + j];
                        trace += v;
                        r[i] += v;
                        c[j] += v;
                    }
                }
                assertEquals(trace, f.trace(), 1e-4 * trace, name + " " + e.getKey() + ": trace");
                for (int i = 0; i < rows; i++) assertEquals(r[i], f.rowSums()[i], 1e-4 * trace, e.getKey() + " row " + i);
                for (int j = 0; j < cols; j++) assertEquals(c[j], f.colSums()[j], 1e-4 * trace, e.getKey() + " column " + j);
                assertTrue(f.rowEnergy() != null && java.util.Arrays.stream(f.rowEnergy()).sum() > 0, e.getKey() + ": ‖W_i‖²");
            }
        }
    }

    /**
     * The pass's forward half records the importance matrix as the forward pass does: each projection's
     * input mean squares over the same text, sequences side by side or one at a time.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theForwardHalfRecordsTheInputEnergies(String name, SyntheticModel.Spec spec) throws Exception {
        Path dir = tmp.resolve(name);
        SyntheticModel.write(spec, dir);
        try (HfStoredModel model = HfStoredModel.open(dir)) {
            int[][] texts = {{1, 17, 5, 300, 42, 9, 77, 5}, {1, 8, 64, 3, 3, 200}};
            Map<String, float[]> expected = Transformer.of(model).inputEnergies(texts, Parallel.sequential());
            Map<String, float[]> got = FisherInformation.measure(model, texts, new FisherInformation.Settings(1, 7),
                    ProgressSink.NONE, Parallel.sequential()).inputEnergies();
            assertEquals(expected.keySet(), got.keySet());
            for (String w : expected.keySet()) {
                float[] e = expected.get(w);
                float[] g = got.get(w);
                for (int j = 0; j < e.length; j++) assertEquals(e[j], g[j], 1e-4 * Math.max(1, Math.abs(e[j])), w + " column " + j);
            }
        }
    }

    /**
     * One weight of each kind: the projections past layer 0, the first expert, embeddings, head, routers.
     * Not a mixture's embedding: it moves every router's input, and routing is piecewise constant, so
     * finite differences jump where a token changes experts.
     */
    private static boolean representative(String w, boolean moe) {
        if (w.startsWith("model.layers.0.")) return false;
        if (moe && w.equals("model.embed_tokens.weight")) return false;
        if (w.matches(".*experts\\.[1-9]\\d*\\..*")) return false;
        return true;
    }

    /**
     * d/dε of the loss with {@code w} + ε·u: central differences at steps 2h and h, extrapolated (Richardson)
     * to cancel their h² error; the random models' curvature is large, float32's noise small at h = 1e-3.
     */
    private static double derivative(StoredModel model, String w, float[] u, int[][] texts, int[][] labels, Parallel par) {
        double h = 1e-3;
        double wide = central(model, w, u, texts, labels, par, 2 * h);
        double narrow = central(model, w, u, texts, labels, par, h);
        return (4 * narrow - wide) / 3;
    }

    private static double central(StoredModel model, String w, float[] u, int[][] texts, int[][] labels, Parallel par,
                                  double eps) {
        double plus = loss(model, w, u, eps, texts, labels, par);
        double minus = loss(model, w, u, -eps, texts, labels, par);
        return (plus - minus) / (2 * eps);
    }

    /** Σ −log p(label) over every position, with {@code w} moved by eps·u. */
    private static double loss(StoredModel model, String w, float[] u, double eps, int[][] texts, int[][] labels, Parallel par) {
        Map<String, StoredTensor> t = new LinkedHashMap<>(model.tensors());
        StoredTensor original = t.get(w);
        t.put(w, new Moved(original, u, (float) eps));
        StoredModel moved = new TensorsView(model, t);
        Transformer tf = Transformer.of(moved);
        int v = tf.vocabSize();
        double loss = 0;
        for (int s = 0; s < texts.length; s++) {
            int n = texts[s].length;
            float[] logits = tf.logits(texts[s], 0, n, par);
            for (int p = 0; p < n; p++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < v; i++) max = Math.max(max, logits[i * n + p]);
                double sum = 0;
                for (int i = 0; i < v; i++) sum += Math.exp(logits[i * n + p] - max);
                loss -= logits[labels[s][p] * n + p] - max - Math.log(sum);
            }
        }
        return loss;
    }

    private record Moved(StoredTensor w, float[] u, float eps) implements StoredTensor {
        public String name() {
            return w.name();
        }

        public long[] shape() {
            return w.shape();
        }

        public String encoding() {
            return w.encoding();
        }

        public long storedBytes() {
            return w.storedBytes();
        }

        public void decodeRows(long first, int count, float[] dst) {
            w.decodeRows(first, count, dst);
            int c = (int) w.cols();
            for (int i = 0; i < count * c; i++) dst[i] += eps * u[(int) (first * c) + i];
        }
    }
}
