package dev.swan.eval;

import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
     */
    public record Settings(int draws, long seed) {
        public Settings {
            if (draws < 1) throw new EvalException("the Fisher pass needs at least one draw of labels");
        }
    }

    /**
     * One weight matrix's Fisher diagonal summed over {@code positions} positions (draws × tokens):
     * its trace, its row and column sums, and the weight's own energy ‖W‖².
     */
    public record TensorFisher(int rows, int cols, double trace, double[] rowSums, double[] colSums, double energy,
                               long positions) {
        /**
         * Mean KL divergence per position predicted for an error of relative power e = ‖ΔW‖² / ‖W‖²,
         * divided by e: ½ · ‖W‖² · (mean diagonal Fisher), the error spread evenly over the weights.
         */
        public double klPerRelativePower() {
            return 0.5 * energy * trace / ((double) rows * cols * positions);
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
    public static Map<String, TensorFisher> measure(StoredModel model, int[][] texts, Settings s, ProgressSink progress,
                                                    Parallel par) {
        FisherSums sums = new FisherSums();
        Labels sampled = (draw, prob, v, t) -> {
            SeededRandom r = new SeededRandom(SeededRandom.seedFor(s.seed(), "fisher", "labels " + draw));
            int[] y = new int[t];
            for (int p = 0; p < t; p++) y[p] = sample(prob, v, t, p, r);
            return y;
        };
        int t = run(Transformer.of(model), texts, s.draws(), sampled, sums, progress, par);
        long positions = (long) s.draws() * t;
        Map<String, TensorFisher> out = new LinkedHashMap<>();
        for (Map.Entry<String, FisherStats> en : sums.all().entrySet()) {
            FisherStats f = en.getValue();
            out.put(en.getKey(), new TensorFisher(f.rowSums().length, f.colSums().length, f.trace(), f.rowSums(),
                    f.colSums(), f.energy(), positions));
        }
        return out;
    }

    /** Each draw's label at every position, given the model's next-token probabilities ({@code v × t}). */
    interface Labels {
        int[] draw(int draw, float[] prob, int v, int t);
    }

    /**
     * The forward pass over {@code texts} side by side, then per draw the backward pass of the labels'
     * negative log-likelihood, its statistics added to {@code sums}; returns the number of positions.
     */
    static int run(Transformer tf, int[][] texts, int draws, Labels labels, FisherSums sums, ProgressSink progress,
                   Parallel par) {
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
        int total = layers + draws * (layers + 1);
        int done = 0;

        float[][] residual = new float[layers + 1][];
        float[] x = tf.embedTokens(tokens);
        for (int l = 0; l < layers; l++) {
            progress.update(done++, total, "forward, layer " + l);
            residual[l] = x;
            x = new LayerTape(a, tf.layer(l), t, bounds, rope, unrope).forward(x, par);
        }
        residual[layers] = x;
        float[] normed = new float[d * t];
        Transformer.rmsNorm(x, d, t, tf.finalNorm(), a.rmsEps(), normed);
        Linear head = tf.head();
        int vocab = head.out();
        float[] prob = new float[vocab * t];
        head.forward(normed, t, prob, par);
        softmaxColumns(prob, vocab, t);

        StoredTensor embed = tf.embedding();
        boolean tied = head.weight() == embed;
        for (int draw = 0; draw < draws; draw++) {
            progress.update(done++, total, "backward " + (draw + 1) + "/" + draws + ", output head");
            int[] y = labels.draw(draw, prob, vocab, t);
            float[] dlogits = prob.clone();
            for (int p = 0; p < t; p++) dlogits[y[p] * t + p] -= 1f;
            float[] dn = sums.linear(head, dlogits, normed, t, bounds, par);
            float[] dx = new float[d * t];
            Backprop.rmsNorm(residual[layers], d, t, tf.finalNorm(), a.rmsEps(), dn, dx);
            for (int l = layers - 1; l >= 0; l--) {
                progress.update(done++, total, "backward " + (draw + 1) + "/" + draws + ", layer " + l);
                LayerTape tape = new LayerTape(a, tf.layer(l), t, bounds, rope, unrope);
                tape.forward(residual[l], par);
                dx = tape.backward(dx, sums, par);
                tape.release();
            }
            embeddingGradient(sums, embed, tied ? dlogits : null, normed, dx, tokens, bounds, d, t);
        }
        FisherStats e = sums.of(embed.name(), (int) embed.rows(), d);
        if (Double.isNaN(e.energy())) e.energy(energy(embed, par));
        progress.update(total, total, "");
        return t;
    }

    /**
     * The embedding's gradient: per sequence, each token's row gets the sum of the input gradients at its
     * positions; for a tied head ({@code dlogits} given) that row also carries the head's gradient, which
     * the head's statistics already counted, so only the difference is added.
     */
    private static void embeddingGradient(FisherSums sums, StoredTensor embed, float[] dlogits, float[] normed, float[] dx,
                                          int[] tokens, int[] bounds, int d, int t) {
        FisherStats e = sums.of(embed.name(), (int) embed.rows(), d);
        for (int s = 0; s + 1 < bounds.length; s++) {
            Map<Integer, Integer> row = new HashMap<>();
            List<Integer> order = new java.util.ArrayList<>();
            for (int p = bounds[s]; p < bounds[s + 1]; p++) {
                if (row.putIfAbsent(tokens[p], order.size()) == null) order.add(tokens[p]);
            }
            int n = order.size();
            int[] index = new int[n];
            float[][] lookup = new float[n][d];
            for (int i = 0; i < n; i++) index[i] = order.get(i);
            for (int p = bounds[s]; p < bounds[s + 1]; p++) {
                float[] g = lookup[row.get(tokens[p])];
                for (int k = 0; k < d; k++) g[k] += dx[k * t + p];
            }
            sums.addRows(embed.name(), index, lookup);
            if (dlogits == null) {
                e.addRows(index, lookup);
                continue;
            }
            float[][] headRows = new float[n][d];
            for (int i = 0; i < n; i++) {
                int o = index[i] * t;
                for (int q = bounds[s]; q < bounds[s + 1]; q++) {
                    float c = dlogits[o + q];
                    if (c == 0) continue;
                    for (int k = 0; k < d; k++) headRows[i][k] += c * normed[k * t + q];
                }
            }
            e.addRowsOnTop(index, headRows, lookup);
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

    /** ‖W‖² of a stored matrix, decoded in fixed tiles summed in order. */
    private static double energy(StoredTensor w, Parallel par) {
        int cols = (int) w.cols();
        long rows = w.rows();
        int tiles = (int) ((rows + Linear.TILE - 1) / Linear.TILE);
        double[] e = new double[tiles];
        par.forEach(tiles, k -> {
            long r0 = (long) k * Linear.TILE;
            int n = (int) Math.min(Linear.TILE, rows - r0);
            float[] buf = new float[n * cols];
            w.decodeRows(r0, n, buf);
            double s = 0;
            for (float v : buf) s += (double) v * v;
            e[k] = s;
        });
        double s = 0;
        for (double v : e) s += v;
        return s;
    }
}
