package dev.swan.eval;

import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every weight's sensitivity from one backward pass (this project's method; after the Fisher-trace
 * sensitivity of FIT, Zandonati et al. 2023, made data-free): a small change δ of the weights moves the
 * model's next-token distributions by KL ≈ ½ δᵀFδ, F being the Fisher information of the model's own
 * output distribution. Its diagonal is estimated on text the model wrote itself, with every position's
 * label drawn from the model's own next-token distribution: the squared gradient of the log-likelihood
 * of those labels is an unbiased estimate of F's diagonal (the labels are drawn independently, so the
 * cross terms between positions vanish in expectation). Unlike injecting noise into one tensor at a time,
 * the cost does not grow with the number of tensors: one forward pass, then per draw of labels one backward
 * pass (each layer recomputed from its input, so memory holds one layer's intermediates).
 */
public final class FisherInformation {
    private FisherInformation() {
    }

    /**
     * @param draws label draws (backward passes); their statistics add up
     * @param seed  seeds the labels
     * @param probe what each backward pass starts from at the output
     */
    public record Settings(int draws, long seed, Probe probe) {
        public Settings {
            if (draws < 1) throw new EvalException("the Fisher pass needs at least one draw of labels");
        }

        /** The default probe: sampled labels (chosen by measurement over {@link Probe#SIGNED_ROOT}). */
        public Settings(int draws, long seed) {
            this(draws, seed, Probe.SAMPLED_LABELS);
        }
    }

    /**
     * The gradient at the logits of one backward pass. Both are unbiased for the Fisher information of the
     * output distribution p, whose covariance at the logits is diag(p) − ppᵀ.
     */
    public enum Probe {
        /** p − e_y, the label y drawn from p. */
        SAMPLED_LABELS,
        /**
         * √p ⊙ z − p (√p · z), z a random ±1 vector: its covariance is diag(p) − ppᵀ too, and every token of
         * the vocabulary contributes in every pass instead of one sampled label. Measured against sampled labels
         * at four draws on the shared models: it ranks tensors alike (Spearman within 0.005 on the mean of three
         * seeds) but planned worse in 4 of 12 rows, so it is not the default.
         */
        SIGNED_ROOT
    }

    /**
     * One weight matrix's Fisher diagonal summed over {@code positions} positions (draws × tokens): its
     * trace, its row and column sums, and each row's energy ‖W_i‖².
     */
    public record TensorFisher(int rows, int cols, double trace, double[] rowSums, double[] colSums, double[] rowEnergy,
                               long positions) {
        /** ‖W‖². */
        public double energy() {
            double s = 0;
            for (double e : rowEnergy) s += e;
            return s;
        }

        /**
         * Mean KL divergence per position predicted for an error of relative power e = ‖ΔW‖² / ‖W‖², divided
         * by e, the error spread evenly over the weights: ½ · ‖W‖² · (mean diagonal Fisher).
         */
        public double klPerRelativePower() {
            return 0.5 * energy() * trace / ((double) rows * cols * positions);
        }

        /**
         * The same for the error a quantizer makes, which is larger in rows of larger weights (each row's
         * share of the error taken as its share of ‖W‖²): ½ · Σ_i (row i's mean Fisher) · ‖W_i‖². Chosen by
         * measurement: it ranks tensors by their measured damage better than the even spread.
         */
        public double klPerRelativeRowError() {
            double s = 0;
            for (int i = 0; i < rows; i++) s += rowSums[i] * rowEnergy[i];
            return 0.5 * s / ((double) cols * positions);
        }

        /** Column j's share of the Fisher diagonal per position: an importance for rounding each input column. */
        public float[] columnImportance() {
            float[] out = new float[cols];
            for (int j = 0; j < cols; j++) out[j] = (float) (colSums[j] / positions);
            return out;
        }
    }

    /**
     * The Fisher statistics of every 2-D weight {@code model}'s forward pass reads, over {@code texts}
     * (token sequences, each starting with BOS); a tied head adds to its embedding's.
     */
    /**
     * What one pass measures: every weight's Fisher statistics, and each projection's input mean squares
     * on the same text (llama.cpp's importance matrix, from the forward pass).
     */
    public record Result(Map<String, TensorFisher> tensors, Map<String, float[]> inputEnergies) {
    }

    public static Result measure(StoredModel model, int[][] texts, Settings s, ProgressSink progress, Parallel par) {
        FisherSums sums = new FisherSums();
        Energies energies = new Energies();
        OutputProbe probe = s.probe() == Probe.SAMPLED_LABELS ? (draw, sequence, prob, v, t) -> {
            SeededRandom r = new SeededRandom(SeededRandom.seedFor(s.seed(), "fisher", "labels " + draw + " " + sequence));
            for (int p = 0; p < t; p++) prob[sample(prob, v, t, p, r) * t + p] -= 1f;
        } : (draw, sequence, prob, v, t) -> {
            SeededRandom r = new SeededRandom(SeededRandom.seedFor(s.seed(), "fisher", "signs " + draw + " " + sequence));
            signedRoot(prob, v, t, r);
        };
        int t = run(Transformer.of(model), texts, s.draws(), probe, sums, energies, progress, par);
        long positions = (long) s.draws() * t;
        Map<String, TensorFisher> out = new LinkedHashMap<>();
        for (Map.Entry<String, FisherStats> en : sums.all().entrySet()) {
            FisherStats f = en.getValue();
            out.put(en.getKey(), new TensorFisher(f.rowSums().length, f.colSums().length, f.trace(), f.rowSums(),
                    f.colSums(), f.rowEnergy(), positions));
        }
        return new Result(out, energies.means());
    }

    /**
     * Turns one sequence's next-token probabilities ({@code v × t}) in place into the gradient at its logits
     * for one backward pass.
     */
    interface OutputProbe {
        void apply(int draw, int sequence, float[] prob, int v, int t);

        /** Given labels (each sequence's label at every position): p − e_y. */
        static OutputProbe labels(java.util.function.IntFunction<int[]> bySequence) {
            return (draw, sequence, prob, v, t) -> {
                int[] y = bySequence.apply(sequence);
                for (int p = 0; p < t; p++) prob[y[p] * t + p] -= 1f;
            };
        }
    }

    /** prob[v × t] replaced column by column by √p ⊙ z − p (√p · z), z drawn as random signs. */
    static void signedRoot(float[] prob, int v, int t, SeededRandom r) {
        long bits = 0;
        int left = 0;
        for (int p = 0; p < t; p++) {
            double dot = 0;
            for (int i = 0; i < v; i++) {
                if (left == 0) {
                    bits = r.nextLong();
                    left = 64;
                }
                float root = (float) Math.sqrt(prob[i * t + p]);
                float z = (bits & 1) == 0 ? root : -root;
                bits >>>= 1;
                left--;
                dot += z;
                prob[i * t + p] = z;
            }
            for (int i = 0; i < v; i++) {
                float z = prob[i * t + p];
                prob[i * t + p] = (float) (z - (double) z * z * dot);
            }
        }
    }

    /**
     * The forward pass over {@code texts} side by side (its projections' inputs recorded in
     * {@code energies} when given), then per draw the backward pass of the labels' negative log-likelihood,
     * its statistics added to {@code sums}; returns the number of positions.
     */
    static int run(Transformer tf, int[][] texts, int draws, OutputProbe probe, FisherSums sums, Energies energies,
                   ProgressSink progress, Parallel par) {
        Architecture a = tf.architecture();
        int layers = tf.layers();
        int d = a.hidden();
        int[] bounds = new int[texts.length + 1];
        for (int q = 0; q < texts.length; q++) bounds[q + 1] = bounds[q] + texts[q].length;
        int t = bounds[texts.length];
        int[] tokens = new int[t];
        for (int q = 0; q < texts.length; q++) System.arraycopy(texts[q], 0, tokens, bounds[q], texts[q].length);
        float[][] rope = LayerTape.ropeTable(tf.rope(), bounds, false);
        float[][] unrope = LayerTape.ropeTable(tf.rope(), bounds, true);
        // progress in layer passes: a layer forward is 1, its recomputation and backward 3, the head's
        // backward 3 times its size in layers
        Linear head = tf.head();
        long layerWeights = Math.max(1, (tf.parameters() - 2L * head.out() * head.in()) / Math.max(1, layers));
        long headUnits = Math.max(1, 3L * head.out() * head.in() / layerWeights);
        long total = layers + draws * (headUnits + 3L * layers);
        long done = 0;

        float[][] residual = new float[layers + 1][];
        float[] x = tf.embedTokens(tokens);
        for (int l = 0; l < layers; l++) {
            progress.update(done++, total, "forward pass, layer " + l);
            residual[l] = x;
            x = new LayerTape(a, tf.layer(l), t, bounds, rope, unrope).forward(x, par, energies);
        }
        residual[layers] = x;
        float[] normed = new float[d * t];
        Transformer.rmsNorm(x, d, t, tf.finalNorm(), a.rmsEps(), normed);
        if (energies != null) energies.add(head, normed, t);

        StoredTensor embed = tf.embedding();
        boolean tied = head.weight() == embed;
        for (int draw = 0; draw < draws; draw++) {
            progress.update(done, total, "backward pass " + (draw + 1) + "/" + draws + ", output head");
            done += headUnits;
            float[] dn = new float[d * t];
            float[][][] headRows = new float[texts.length][][];
            // the head one sequence at a time: its logits (vocabulary × positions) are the largest array here
            for (int s = 0; s < texts.length; s++) {
                int from = bounds[s];
                int len = bounds[s + 1] - from;
                float[] ns = columns(normed, d, t, from, len);
                float[] dlogits = new float[head.out() * len];
                head.forward(ns, len, dlogits, par);
                softmaxColumns(dlogits, head.out(), len);
                probe.apply(draw, s, dlogits, head.out(), len);
                float[] dns = sums.linear(head, dlogits, ns, len, new int[] {0, len}, par);
                for (int k = 0; k < d; k++) System.arraycopy(dns, k * len, dn, k * t + from, len);
                if (tied) headRows[s] = headRows(dlogits, ns, distinct(tokens, from, len), d, len);
            }
            float[] dx = new float[d * t];
            Backprop.rmsNorm(residual[layers], d, t, tf.finalNorm(), a.rmsEps(), dn, dx);
            for (int l = layers - 1; l >= 0; l--) {
                progress.update(done, total, "backward pass " + (draw + 1) + "/" + draws + ", layer " + l);
                done += 3;
                LayerTape tape = new LayerTape(a, tf.layer(l), t, bounds, rope, unrope);
                tape.forward(residual[l], par, null);
                dx = tape.backward(dx, sums, par);
                tape.release();
            }
            embeddingGradient(sums, embed, tied ? headRows : null, dx, tokens, bounds, d, t);
        }
        FisherStats e = sums.of(embed.name(), (int) embed.rows(), d);
        if (e.rowEnergy() == null) rowEnergies(embed, e.newRowEnergy(), par);
        progress.update(total, total, "");
        return t;
    }

    /** Columns [from, from + len) of x[d × t]. */
    private static float[] columns(float[] x, int d, int t, int from, int len) {
        float[] out = new float[d * len];
        for (int k = 0; k < d; k++) System.arraycopy(x, k * t + from, out, k * len, len);
        return out;
    }

    /** The distinct tokens of positions [from, from + len), in order of first appearance. */
    private static int[] distinct(int[] tokens, int from, int len) {
        java.util.LinkedHashSet<Integer> seen = new java.util.LinkedHashSet<>();
        for (int p = from; p < from + len; p++) seen.add(tokens[p]);
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Rows {@code index} of one sequence's head gradient: Σ_q dlogits[row, q] · x[:, q]. */
    private static float[][] headRows(float[] dlogits, float[] x, int[] index, int d, int len) {
        float[][] out = new float[index.length][d];
        for (int i = 0; i < index.length; i++) {
            int o = index[i] * len;
            for (int q = 0; q < len; q++) {
                float c = dlogits[o + q];
                if (c == 0) continue;
                for (int k = 0; k < d; k++) out[i][k] += c * x[k * len + q];
            }
        }
        return out;
    }

    /**
     * The embedding's gradient: per sequence, each token's row gets the sum of the input gradients at its
     * positions; for a tied head ({@code headRows} given: per sequence, the head's gradient in the rows of
     * the sequence's distinct tokens) the row also carries the head's part, which the head's statistics
     * already counted, so only the difference is added.
     */
    private static void embeddingGradient(FisherSums sums, StoredTensor embed, float[][][] headRows, float[] dx,
                                          int[] tokens, int[] bounds, int d, int t) {
        FisherStats e = sums.of(embed.name(), (int) embed.rows(), d);
        for (int s = 0; s + 1 < bounds.length; s++) {
            int[] index = distinct(tokens, bounds[s], bounds[s + 1] - bounds[s]);
            Map<Integer, Integer> row = new HashMap<>();
            for (int i = 0; i < index.length; i++) row.put(index[i], i);
            float[][] lookup = new float[index.length][d];
            for (int p = bounds[s]; p < bounds[s + 1]; p++) {
                float[] g = lookup[row.get(tokens[p])];
                for (int k = 0; k < d; k++) g[k] += dx[k * t + p];
            }
            sums.addRows(embed.name(), index, lookup);
            if (headRows == null) e.addRows(index, lookup);
            else e.addRowsOnTop(index, headRows[s], lookup);
        }
    }

    /** Each column of {@code logits[v × t]} replaced by its softmax. */
    private static void softmaxColumns(float[] logits, int v, int t) {
        for (int p = 0; p < t; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < v; i++) max = Math.max(max, logits[i * t + p]);
            double sum = 0;
            for (int i = 0; i < v; i++) sum += Math.exp(logits[i * t + p] - max);
            double log = max + Math.log(sum);
            for (int i = 0; i < v; i++) logits[i * t + p] = (float) Math.exp(logits[i * t + p] - log);
        }
    }

    /** A label drawn from position p's distribution. */
    private static int sample(float[] prob, int v, int t, int p, SeededRandom r) {
        double u = r.nextDouble();
        double acc = 0;
        for (int i = 0; i < v; i++) {
            acc += prob[i * t + p];
            if (u < acc) return i;
        }
        return v - 1;
    }

    /** Each row's ‖W_i‖² of a stored matrix (the embedding, which the backward pass never decodes whole). */
    private static void rowEnergies(StoredTensor w, double[] out, Parallel par) {
        int cols = (int) w.cols();
        long rows = w.rows();
        int tiles = (int) ((rows + Linear.TILE - 1) / Linear.TILE);
        par.forEach(tiles, k -> {
            long r0 = (long) k * Linear.TILE;
            int n = (int) Math.min(Linear.TILE, rows - r0);
            float[] buf = new float[n * cols];
            w.decodeRows(r0, n, buf);
            Linear.rowEnergies(buf, n, cols, out, r0);
        });
    }
}
