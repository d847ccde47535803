package dev.swan.eval;

import dev.swan.api.ProgressSink;
import dev.swan.api.Sensitivity;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference the Fisher pass was chosen against (this project's earlier self-calibration, after the
 * linearity theorem of HIGGS, Malinovskii et al. 2024): one tensor at a time, noise of known relative power,
 * shaped like quantization error, is added to that tensor alone at two powers a decade apart, and the mean
 * KL divergence of the next-token distributions from the clean model's at each gives the tensor's
 * sensitivity as a power law. Two forward passes per tensor: exact, and too slow beyond small models.
 */
final class NoiseInjection {
    /** Relative power of the smaller injected noise (‖ΔW‖² / ‖W‖²); the second is ten times it. */
    static final double NOISE = 3e-3;

    private NoiseInjection() {
    }

    /** The model as self-calibration runs it: {@link SelfCalibration#untiedView}, decoded once when small enough ({@link #cached}). */
    public static StoredModel prepare(StoredModel m) {
        return cached(SelfCalibration.untiedView(m));
    }

    /**
     * Sensitivity of each of {@code tensors} (names of 2-D weights of {@code model}, as {@link #prepare}
     * returns it): the mean KL divergence
     * over every position of {@code texts} with that tensor noised at the settings' power and at ten times
     * it, as a power law (the exponent clamped to [0.3, 2]).
     */
    public static Map<String, Sensitivity> sensitivities(StoredModel model, List<String> tensors, int[][] texts,
                                                         long globalSeed, ProgressSink progress, Parallel par) {
        StoredModel clean = model;
        Transformer base = Transformer.of(clean);
        int v = base.vocabSize();
        List<float[]> baseLogp = new ArrayList<>();
        List<float[][]> residuals = new ArrayList<>();
        for (int[] text : texts) {
            float[][] r = base.residuals(text, par);
            residuals.add(r);
            baseLogp.add(logSoftmax(base.logitsFrom(base.layers(), r[base.layers()], text.length, 0, text.length, par),
                    v, text.length));
        }
        Map<String, Sensitivity> out = new LinkedHashMap<>();
        int done = 0;
        for (String name : tensors) {
            progress.update(done++, tensors.size(), name);
            StoredTensor original = clean.tensors().get(name);
            if (original == null) continue;
            long seed = SeededRandom.seedFor(globalSeed, name, "self-calibration");
            int from = firstLayerAffected(name, base.layers());
            double low = kl(clean, name, new Noised(original, NOISE, seed), texts, residuals, from, baseLogp, v, par);
            double high = kl(clean, name, new Noised(original, 10 * NOISE, seed), texts, residuals, from, baseLogp, v, par);
            double exponent = low > 0 && high > 0 ? Math.max(0.3, Math.min(2, Math.log10(high / low))) : 1;
            out.put(name, new Sensitivity(NOISE, low, exponent));
        }
        progress.update(tensors.size(), tensors.size(), "");
        return out;
    }

    /**
     * The first layer a change to tensor {@code name} reaches: its own for a layer's weights, past the last
     * layer for the final norm and head, 0 (the embedding) otherwise.
     */
    static int firstLayerAffected(String name, int layers) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^model\\.layers\\.(\\d+)\\.").matcher(name);
        if (m.find()) return m.group(1).length() > 9 ? layers : Integer.parseInt(m.group(1));
        if (name.equals("lm_head.weight") || name.equals("model.norm.weight")) return layers;
        return 0;
    }

    /**
     * Mean KL divergence from the clean model over every position of the texts, with one tensor replaced;
     * the pass resumes from the clean residual stream at layer {@code from}, the first the tensor reaches
     * (the layers before it compute exactly what the clean pass computed).
     */
    private static double kl(StoredModel clean, String name, StoredTensor replacement, int[][] texts,
                             List<float[][]> residuals, int from, List<float[]> baseLogp, int v, Parallel par) {
        Transformer t = Transformer.of(new Replaced(clean, name, replacement));
        double kl = 0;
        int positions = 0;
        for (int q = 0; q < texts.length; q++) {
            float[] lp = logSoftmax(from == 0 ? t.logits(texts[q], 0, texts[q].length, par)
                    : t.logitsFrom(from, residuals.get(q)[from], texts[q].length, 0, texts[q].length, par), v, texts[q].length);
            float[] bp = baseLogp.get(q);
            int n = texts[q].length;
            for (int p = 0; p < n; p++) {
                double k = 0;
                for (int i = 0; i < v; i++) {
                    double b = bp[i * n + p];
                    k += Math.exp(b) * (b - lp[i * n + p]);
                }
                kl += Math.max(0, k);
                positions++;
            }
        }
        return kl / positions;
    }

    /** Log-probabilities, feature-major like the logits ({@code [vocab × positions]}). */
    static float[] logSoftmax(float[] logits, int vocab, int positions) {
        double[] max = new double[positions];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < vocab; i++) for (int p = 0; p < positions; p++) max[p] = Math.max(max[p], logits[i * positions + p]);
        double[] sum = new double[positions];
        for (int i = 0; i < vocab; i++) for (int p = 0; p < positions; p++) sum[p] += Math.exp(logits[i * positions + p] - max[p]);
        float[] out = new float[logits.length];
        for (int i = 0; i < vocab; i++) {
            for (int p = 0; p < positions; p++) out[i * positions + p] = (float) (logits[i * positions + p] - max[p] - Math.log(sum[p]));
        }
        return out;
    }

    /** Float copies of every tensor above this total stay as stored and are decoded on every pass. */
    static final long CACHE_BYTES = 1L << 30;

    /**
     * The model with every tensor decoded once into float32, when that fits in {@link #CACHE_BYTES}: the
     * two passes per tensor then do not decode the weights again and again.
     */
    static StoredModel cached(StoredModel m) {
        long bytes = 0;
        for (StoredTensor t : m.tensors().values()) bytes += 4 * t.rows() * t.cols();
        if (bytes > CACHE_BYTES) return m;
        Map<String, StoredTensor> t = new LinkedHashMap<>();
        for (StoredTensor x : m.tensors().values()) {
            float[] all = new float[(int) (x.rows() * x.cols())];
            x.decodeRows(0, (int) x.rows(), all);
            t.put(x.name(), new Decoded(x, all));
        }
        return new TensorsView(m, Collections.unmodifiableMap(t));
    }

    /** A tensor held decoded. */
    private record Decoded(StoredTensor source, float[] values) implements StoredTensor {
        @Override
        public String name() {
            return source.name();
        }

        @Override
        public long[] shape() {
            return source.shape();
        }

        @Override
        public String encoding() {
            return source.encoding();
        }

        @Override
        public long storedBytes() {
            return source.storedBytes();
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            int cols = (int) source.cols();
            System.arraycopy(values, (int) first * cols, dst, 0, count * cols);
        }
    }

    /**
     * A tensor whose every decoded row carries seeded Gaussian noise of the given relative power, shaped like
     * quantization error: within each group of {@link #GROUP} weights of a row its spread follows the group's
     * largest magnitude (a quantizer's step), scaled so the whole tensor's noise power is {@code power} × its
     * signal power.
     */
    private static final class Noised implements StoredTensor {
        static final int GROUP = 32;
        private final StoredTensor w;
        private final long seed;
        private final double scale;

        Noised(StoredTensor w, double power, long seed) {
            this.w = w;
            this.seed = seed;
            int cols = (int) w.cols();
            long rows = w.rows();
            double signal = 0, steps = 0;
            float[] buf = new float[cols * 64];
            for (long r = 0; r < rows; r += 64) {
                int n = (int) Math.min(64, rows - r);
                w.decodeRows(r, n, buf);
                for (int i = 0; i < n * cols; i++) signal += (double) buf[i] * buf[i];
                for (int i = 0; i < n; i++) {
                    for (int g = 0; g < cols; g += GROUP) {
                        double m = groupMax(buf, i * cols + g, Math.min(GROUP, cols - g));
                        steps += m * m * Math.min(GROUP, cols - g);
                    }
                }
            }
            this.scale = steps > 0 ? Math.sqrt(power * signal / steps) : 0;
        }

        private static double groupMax(float[] b, int from, int n) {
            double m = 0;
            for (int i = from; i < from + n; i++) m = Math.max(m, Math.abs(b[i]));
            return m;
        }

        @Override
        public String name() {
            return w.name();
        }

        @Override
        public long[] shape() {
            return w.shape();
        }

        @Override
        public String encoding() {
            return w.encoding() + "+noise";
        }

        @Override
        public long storedBytes() {
            return w.storedBytes();
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            w.decodeRows(first, count, dst);
            int cols = (int) w.cols();
            for (int i = 0; i < count; i++) {
                SeededRandom r = SeededRandom.derive(seed, first + i);
                for (int g = 0; g < cols; g += GROUP) {
                    int n = Math.min(GROUP, cols - g);
                    double sigma = scale * groupMax(dst, i * cols + g, n);
                    for (int c = g; c < g + n; c++) dst[i * cols + c] += (float) (sigma * r.nextGaussian());
                }
            }
        }
    }

    /** The model with one tensor replaced. */
    private static final class Replaced implements StoredModel {
        private final StoredModel m;
        private final Map<String, StoredTensor> tensors;

        Replaced(StoredModel m, String name, StoredTensor replacement) {
            this.m = m;
            Map<String, StoredTensor> t = new LinkedHashMap<>(m.tensors());
            t.put(name, replacement);
            this.tensors = Collections.unmodifiableMap(t);
        }

        @Override
        public Path path() {
            return m.path();
        }

        @Override
        public ModelConfig config() {
            return m.config();
        }

        @Override
        public Map<String, StoredTensor> tensors() {
            return tensors;
        }

        @Override
        public long fileBytes() {
            return m.fileBytes();
        }

        @Override
        public void close() {
        }
    }
}
