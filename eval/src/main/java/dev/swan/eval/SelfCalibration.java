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
 * Data-free sensitivity of every weight (this project's method, after the linearity theorem of HIGGS,
 * Malinovskii et al. 2024: the KL divergence a small weight error causes grows linearly with the error's
 * relative power, with a coefficient per tensor). The model writes its own calibration text (sequences
 * sampled from BOS at temperature 1, seeded); then, one tensor at a time, noise of known relative power,
 * shaped like quantization error, is added to that tensor alone at two powers a decade apart, and the
 * mean KL divergence of the next-token distributions from the clean model's at each gives the tensor's
 * sensitivity as a power law (the effect is linear for most tensors, sub-linear for a few). No dataset
 * is read.
 */
public final class SelfCalibration {
    private SelfCalibration() {
    }

    /**
     * @param sequences  calibration sequences the model generates
     * @param length     tokens per sequence (BOS included)
     * @param noise      relative power of the smaller injected noise (‖ΔW‖² / ‖W‖²); the second is ten times it
     * @param seed       seeds the sampling and the noise (with each tensor's name)
     */
    public record Settings(int sequences, int length, double noise, long seed) {
        public Settings {
            if (sequences < 1 || length < 2) throw new EvalException("self-calibration needs at least one sequence of 2 tokens");
            if (!(noise > 0) || noise >= 1) throw new EvalException("self-calibration noise must be in (0, 1), got " + noise);
        }

        /** {@code tokens} generated tokens in sequences of at most 128. */
        public static Settings forTokens(int tokens, long seed) {
            int length = Math.max(2, Math.min(128, tokens));
            return new Settings(Math.max(1, (tokens + length - 1) / length), length, 3e-3, seed);
        }
    }

    /**
     * How much text the model writes for the Fisher pass, sized for the model so that the measurement stays
     * minutes at 8B: {@code contexts} sequences of {@code joined} snippets of {@code length} tokens each
     * (generated side by side, so a step decodes the weights once for all snippets; joined end to end, so
     * the pass sees long contexts: snippets of 16 tokens read alone rank tensors at Spearman 0.80–0.89 on
     * the shared models, joined into 128-token contexts at 0.90–0.96), and {@code draws} label draws.
     */
    public record Plan(int contexts, int joined, int length, int draws) {
        /** Positions per Fisher sequence. */
        static final int CONTEXT = 128;
        /** Parameter-steps of generation (decoding every weight once per step): about a minute at 8B on 2 cores. */
        static final double GENERATION_BUDGET = 2.6e11;
        /** Parameter-tokens of the Fisher pass: about two minutes at 8B with 128 tokens. */
        static final double PASS_BUDGET = 1.1e12;

        public Plan {
            if (contexts < 1 || joined < 1 || length < 2 || draws < 1) throw new EvalException("self-calibration needs text");
        }

        /**
         * The plan for a model whose forward pass reads {@code activeParameters} weights per token:
         * {@code tokens} (0: 512 tokens while that is cheap, down to 128 at 8B) in contexts of up to 128,
         * generated in snippets of 128 tokens, or shorter where steps are expensive (32 at 8B); two label
         * draws while cheap, one otherwise.
         */
        public static Plan of(long activeParameters, int tokens) {
            double p = Math.max(1, activeParameters);
            // a multiple of 16 positions: products over a number of columns that fills vectors run fastest
            int total = tokens > 0 ? Math.max(16, tokens / 16 * 16) : (int) clampPow2(PASS_BUDGET / p, CONTEXT, 4 * CONTEXT);
            int context = Math.min(CONTEXT, total);
            int length = (int) Math.min(context, clampPow2(GENERATION_BUDGET / p, 32, CONTEXT));
            int joined = Math.max(1, context / length);
            int draws = p * total <= GENERATION_BUDGET ? 2 : 1;
            return new Plan(Math.max(1, total / context), joined, length, draws);
        }

        private static double clampPow2(double v, double lo, double hi) {
            double p = lo;
            while (p * 2 <= Math.min(v, hi)) p *= 2;
            return p;
        }

        /** Positions of the pass: a multiple of the vector width when the context is 128. */
        public int tokens() {
            return contexts * joined * length;
        }
    }

    /**
     * The model's own text for the Fisher pass: {@code plan.contexts() × plan.joined()} snippets of
     * {@code length} tokens generated after {@code bos} side by side ({@link #generate}), joined end to end
     * into contexts of {@code joined × length} tokens that start with BOS (its place taken from the first
     * snippet's last token).
     */
    public static int[][] contexts(Transformer t, int bos, Plan plan, long seed, Parallel par, ProgressSink progress) {
        int[][] snippets = generate(t, bos, new Settings(plan.contexts() * plan.joined(), plan.length() + 1, 3e-3, seed),
                par, progress);
        int[][] out = new int[plan.contexts()][];
        int len = plan.length();
        for (int c = 0; c < out.length; c++) {
            int[] text = new int[plan.joined() * len];
            for (int k = 0; k < plan.joined(); k++) {
                int[] part = snippets[c * plan.joined() + k];
                // the first keeps its BOS and all but its last token; the others give their tokens after BOS
                System.arraycopy(part, k == 0 ? 0 : 1, text, k * len, len);
            }
            out[c] = text;
        }
        return out;
    }

    /**
     * The model's own text: {@code sequences} runs from {@code bos} of {@code length} tokens, each next
     * token drawn from the full next-token distribution (temperature 1), every sequence with its own seeded
     * generator. The sequences are decoded in lockstep, so each step decodes the weights once for all.
     */
    public static int[][] generate(Transformer t, int bos, Settings s, Parallel par) {
        return generate(t, bos, s, par, ProgressSink.NONE);
    }

    /** As above, reporting each step to {@code progress}. */
    public static int[][] generate(Transformer t, int bos, Settings s, Parallel par, ProgressSink progress) {
        int n = s.sequences();
        int[][] out = new int[n][s.length()];
        long seed = SeededRandom.seedFor(s.seed(), "self-calibration", "sampling");
        SeededRandom[] r = new SeededRandom[n];
        for (int q = 0; q < n; q++) r[q] = SeededRandom.derive(seed, q);
        int v = t.vocabSize();
        Transformer.Session session = t.session(n, s.length());
        int[] step = new int[n];
        for (int q = 0; q < n; q++) out[q][0] = bos;
        double[] prob = new double[v];
        for (int p = 1; p < s.length(); p++) {
            progress.update(p - 1, s.length() - 1, "writing its own text, token " + p + " of " + (s.length() - 1));
            for (int q = 0; q < n; q++) step[q] = out[q][p - 1];
            float[] logits = session.next(step, par);
            for (int q = 0; q < n; q++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < v; i++) max = Math.max(max, logits[i * n + q]);
                double sum = 0;
                for (int i = 0; i < v; i++) sum += prob[i] = Math.exp(logits[i * n + q] - max);
                double u = r[q].nextDouble() * sum;
                int pick = v - 1;
                for (int i = 0; i < v; i++) {
                    u -= prob[i];
                    if (u <= 0) {
                        pick = i;
                        break;
                    }
                }
                out[q][p] = pick;
            }
        }
        return out;
    }

    /** The model as self-calibration runs it: {@link #untiedView}, decoded once when small enough ({@link #cached}). */
    public static StoredModel prepare(StoredModel m) {
        return cached(untiedView(m));
    }

    /**
     * Sensitivity of each of {@code tensors} (names of 2-D weights of {@code model}, as {@link #prepare}
     * returns it): the mean KL divergence
     * over every position of {@code texts} with that tensor noised at the settings' power and at ten times
     * it, as a power law (the exponent clamped to [0.3, 2]).
     */
    public static Map<String, Sensitivity> sensitivities(StoredModel model, List<String> tensors, int[][] texts,
                                                         Settings s, ProgressSink progress, Parallel par) {
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
            long seed = SeededRandom.seedFor(s.seed(), name, "self-calibration");
            int from = firstLayerAffected(name, base.layers());
            double low = kl(clean, name, new Noised(original, s.noise(), seed), texts, residuals, from, baseLogp, v, par);
            double high = kl(clean, name, new Noised(original, 10 * s.noise(), seed), texts, residuals, from, baseLogp, v, par);
            double exponent = low > 0 && high > 0 ? Math.max(0.3, Math.min(2, Math.log10(high / low))) : 1;
            out.put(name, new Sensitivity(s.noise(), low, exponent));
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
        return new View(m, Collections.unmodifiableMap(t));
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
     * A tied model as its runtimes see it: no separate head, so the embedding also produces the logits and
     * its sensitivity covers both roles (a stored copy of the head is what the writers leave out).
     */
    public static StoredModel untiedView(StoredModel m) {
        if (!m.config().tieWordEmbeddings() || !m.tensors().containsKey("lm_head.weight")) return m;
        Map<String, StoredTensor> t = new LinkedHashMap<>(m.tensors());
        t.remove("lm_head.weight");
        return new View(m, Collections.unmodifiableMap(t));
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

    private record View(StoredModel m, Map<String, StoredTensor> tensors) implements StoredModel {
        @Override
        public Path path() {
            return m.path();
        }

        @Override
        public ModelConfig config() {
            return m.config();
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
