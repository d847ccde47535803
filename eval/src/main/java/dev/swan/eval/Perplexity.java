package dev.swan.eval;

import dev.swan.api.ProgressSink;
import dev.swan.api.numeric.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * llama-perplexity's protocol: the ids are cut into chunks of {@code ctx} tokens, the first token of each
 * chunk becomes BOS (when the vocabulary adds one), and only the second half of each chunk is scored
 * (positions ctx/2 .. ctx-2 predict the next token). With a base model, every scored position also gets
 * KL(base ‖ model) over the whole vocabulary and whether both rank the same token first. Models run in
 * lockstep, chunk by chunk, so the base's distributions are computed once and only one chunk's are held.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /**
     * @param ctx       tokens per chunk
     * @param maxChunks chunks to score at most (0: as many as the text holds)
     */
    public record Settings(int ctx, int maxChunks) {
    }

    /** A model to score, with the label the report shows. */
    public record Entry(String label, Transformer model) {
    }

    /**
     * One model's scores.
     *
     * @param klMean NaN without a base (as are the other KL figures and top1)
     * @param top1   share of positions where model and base agree on the most likely token
     */
    public record Result(String label, Transformer model, int chunks, int scored, double ppl, double pplError,
                         double meanNll, double klMean, double klP99, double klMax, double top1, boolean isBase) {
    }

    public static List<Result> run(List<Entry> models, Optional<Entry> base, int[] ids, int bos, Settings s,
                                   ProgressSink progress, Parallel par) {
        List<Entry> all = new ArrayList<>();
        base.ifPresent(all::add);
        all.addAll(models);
        int ctx = s.ctx();
        if (ctx < 4) throw new EvalException("--ctx " + ctx + " is too short: give at least 4 tokens per chunk");
        for (Entry e : all) {
            int max = e.model().architecture().maxPositions();
            if (max > 0 && ctx > max) {
                throw new EvalException("--ctx " + ctx + " is beyond the " + max + " positions " + e.label()
                        + " was made for (max_position_embeddings): use --ctx " + max + " or less");
            }
        }
        if (ids.length < 2 * ctx) {
            throw new EvalException("the text has " + ids.length + " tokens; a context of " + ctx + " needs at least "
                    + 2 * ctx + " (llama-perplexity's rule): give a longer text or a smaller --ctx");
        }
        int vocab = -1;
        for (Entry e : all) {
            int v = e.model().vocabSize();
            for (int id : ids) {
                if (id < 0 || id >= v) {
                    throw new EvalException("token id " + id + " is outside " + e.label() + "'s vocabulary of " + v
                            + " (were the ids made with another tokenizer?)");
                }
            }
            if (vocab >= 0 && v != vocab) {
                throw new EvalException(e.label() + " has " + v + " logits per position but " + all.get(0).label()
                        + " has " + vocab + ": models with different vocabularies cannot be compared");
            }
            vocab = v;
        }
        int chunks = ids.length / ctx;
        if (s.maxChunks() > 0) chunks = Math.min(chunks, s.maxChunks());
        int first = ctx / 2;
        int scored = ctx - 1 - first;
        int n = chunks * scored;
        int m = all.size();
        double[] nll = new double[m];
        double[] nll2 = new double[m];
        float[][] kl = new float[m][n];
        int[] agree = new int[m];
        long done = 0;
        long total = (long) chunks * m;
        for (int c = 0; c < chunks; c++) {
            int[] chunk = Arrays.copyOfRange(ids, c * ctx, (c + 1) * ctx);
            if (bos >= 0) chunk[0] = bos;
            double[][] baseLogp = null;
            int[] baseTop = null;
            for (int e = 0; e < m; e++) {
                Entry entry = all.get(e);
                progress.update(done, total, entry.label() + " chunk " + (c + 1) + "/" + chunks);
                float[] logits = entry.model().logits(chunk, first, ctx - 1, par);
                LogSoftmax ls = new LogSoftmax(logits, vocab, scored);
                for (int p = 0; p < scored; p++) {
                    double lp = ls.logp(ids[c * ctx + first + p + 1], p);
                    nll[e] -= lp;
                    nll2[e] += lp * lp;
                }
                if (base.isPresent()) {
                    if (e == 0) {
                        baseLogp = ls.all();
                        baseTop = ls.argmax();
                    } else {
                        int[] top = ls.argmax();
                        for (int p = 0; p < scored; p++) {
                            kl[e][c * scored + p] = (float) ls.klFrom(baseLogp[p], p);
                            if (top[p] == baseTop[p]) agree[e]++;
                        }
                    }
                }
                done++;
            }
        }
        progress.update(total, total, "");
        List<Result> out = new ArrayList<>();
        for (int e = 0; e < m; e++) {
            double mean = nll[e] / n;
            double var = n > 1 ? Math.max(0, (nll2[e] / n - mean * mean) / (n - 1)) : 0;
            double ppl = Math.exp(mean);
            boolean isBase = base.isPresent() && e == 0;
            double klMean = Double.NaN, klP99 = Double.NaN, klMax = Double.NaN, top1 = Double.NaN;
            if (base.isPresent()) {
                float[] sorted = isBase ? new float[n] : kl[e].clone();
                Arrays.sort(sorted);
                double sum = 0;
                for (float v : sorted) sum += v;
                klMean = sum / n;
                klP99 = sorted[Math.max(0, (int) Math.ceil(0.99 * n) - 1)];
                klMax = sorted[n - 1];
                top1 = isBase ? 1.0 : (double) agree[e] / n;
            }
            out.add(new Result(all.get(e).label(), all.get(e).model(), chunks, n, ppl, ppl * Math.sqrt(var), mean, klMean,
                    klP99, klMax, top1, isBase));
        }
        return out;
    }

    /** Log-probabilities of every position of a chunk, from feature-major logits {@code [vocab × positions]}. */
    private static final class LogSoftmax {
        private final float[] logits;
        private final int vocab;
        private final int positions;
        private final double[] logZ;

        LogSoftmax(float[] logits, int vocab, int positions) {
            this.logits = logits;
            this.vocab = vocab;
            this.positions = positions;
            double[] max = new double[positions];
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int v = 0; v < vocab; v++) {
                for (int p = 0; p < positions; p++) max[p] = Math.max(max[p], logits[v * positions + p]);
            }
            double[] sum = new double[positions];
            for (int v = 0; v < vocab; v++) {
                for (int p = 0; p < positions; p++) sum[p] += Math.exp(logits[v * positions + p] - max[p]);
            }
            logZ = new double[positions];
            for (int p = 0; p < positions; p++) logZ[p] = max[p] + Math.log(sum[p]);
        }

        double logp(int token, int p) {
            return logits[token * positions + p] - logZ[p];
        }

        double[][] all() {
            double[][] out = new double[positions][vocab];
            for (int v = 0; v < vocab; v++) {
                for (int p = 0; p < positions; p++) out[p][v] = logits[v * positions + p] - logZ[p];
            }
            return out;
        }

        int[] argmax() {
            int[] best = new int[positions];
            for (int v = 1; v < vocab; v++) {
                for (int p = 0; p < positions; p++) {
                    if (logits[v * positions + p] > logits[best[p] * positions + p]) best[p] = v;
                }
            }
            return best;
        }

        /** KL(base ‖ this) at position p: Σ_v p_base(v) (log p_base(v) − log p_this(v)). */
        double klFrom(double[] baseLogp, int p) {
            double kl = 0;
            for (int v = 0; v < vocab; v++) {
                double lb = baseLogp[v];
                kl += Math.exp(lb) * (lb - (logits[v * positions + p] - logZ[p]));
            }
            return Math.max(0, kl);
        }
    }
}
