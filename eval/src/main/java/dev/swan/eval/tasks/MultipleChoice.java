package dev.swan.eval.tasks;

import dev.swan.api.ProgressSink;
import dev.swan.api.numeric.Parallel;
import dev.swan.eval.EvalException;
import dev.swan.eval.Transformer;
import dev.swan.eval.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Multiple-choice scoring with lm-evaluation-harness' protocol: each choice's log-likelihood is the sum of
 * the log-probabilities of the tokens of {@code " " + choice} after the context (the pair encoded as
 * lm-evaluation-harness does: the context's tokens, then the tokens the whole text has beyond them);
 * {@code acc} counts the questions whose right choice has the highest sum, {@code acc_norm} the highest sum
 * per character of the choice; each with its standard error (sample standard deviation / √n). The context
 * is run once per question and cached; each choice extends the cache and is cut back.
 */
public final class MultipleChoice {
    /** A task's result for one model; {@code loglikelihoods} per question, per choice. */
    public record Result(String task, int questions, int shots, double acc, double accStderr, double accNorm,
                         double accNormStderr, List<double[]> loglikelihoods) {
    }

    private MultipleChoice() {
    }

    /**
     * @param shotsFrom the few-shot pool (the training split), or null for none
     * @param maxTokens the most positions the model takes
     */
    public static Result score(String task, Transformer model, Tokenizer tok, List<Question> questions, List<Question> shotsFrom,
                               int shots, long seed, int maxTokens, ProgressSink progress, Parallel par) {
        if (shots > 0 && shotsFrom == null) throw new EvalException(task + ": " + shots + "-shot needs the task's training split");
        if (shots > 0 && shotsFrom.size() < shots) {
            throw new EvalException(task + ": " + shots + "-shot needs " + shots + " training examples but the training split has "
                    + shotsFrom.size() + " (--fewshot " + shotsFrom.size() + " or fewer)");
        }
        List<double[]> all = new ArrayList<>();
        double[] hit = new double[questions.size()];
        double[] hitNorm = new double[questions.size()];
        Transformer.Cache cache = null;
        FewShot sampler = new FewShot(shotsFrom == null ? List.of() : shotsFrom, seed);
        for (int i = 0; i < questions.size(); i++) {
            progress.update(i, questions.size(), task);
            Question q = questions.get(i);
            String context = FewShot.prompt(sampler.draw(shots, q), q);
            Encoded e = encode(tok, context, q);
            int need = e.context.length + Arrays.stream(e.choices).mapToInt(c -> c.length).max().orElse(0);
            if (need > maxTokens) {
                throw new EvalException(q.where() + ": the prompt needs " + need + " tokens but the model takes " + maxTokens
                        + " (fewer few-shot examples: --fewshot)");
            }
            // sized to the longest prompt so far (a cache of the model's whole context can be gigabytes)
            if (cache == null || cache.capacity() < need) cache = model.cache(Math.min(maxTokens, (need + 255) / 256 * 256));
            cache.rewind(0);
            double[] ll = loglikelihoods(cache, e, par);
            all.add(ll);
            int best = argmax(ll);
            double[] norm = new double[ll.length];
            for (int c = 0; c < ll.length; c++) norm[c] = ll[c] / q.choices().get(c).length();
            hit[i] = best == q.gold() ? 1 : 0;
            hitNorm[i] = argmax(norm) == q.gold() ? 1 : 0;
        }
        progress.update(questions.size(), questions.size(), task);
        return new Result(task, questions.size(), shots, mean(hit), stderr(hit), mean(hitNorm), stderr(hitNorm), all);
    }

    /** A question's context tokens and each choice's continuation tokens. */
    record Encoded(int[] context, int[][] choices) {
    }

    /**
     * lm-evaluation-harness' _encode_pair: the context's trailing spaces move to the continuation; the
     * continuation's tokens are those of context + continuation beyond the context's own.
     */
    static Encoded encode(Tokenizer tok, String context, Question q) {
        String ctx = context;
        String moved = "";
        int end = ctx.length();
        while (end > 0 && Character.isWhitespace(ctx.charAt(end - 1))) end--;
        if (end < ctx.length()) {
            moved = ctx.substring(end);
            ctx = ctx.substring(0, end);
        }
        int[] c = tok.encode(ctx);
        int[][] choices = new int[q.choices().size()][];
        for (int k = 0; k < choices.length; k++) {
            int[] whole = tok.encode(ctx + moved + " " + q.choices().get(k));
            choices[k] = Arrays.copyOfRange(whole, Math.min(c.length, whole.length), whole.length);
            if (choices[k].length == 0) {
                throw new EvalException(q.where() + ": choice " + k + " " + EvalException.quoted(q.choices().get(k))
                        + " adds no tokens to the context");
            }
        }
        if (c.length == 0) throw new EvalException(q.where() + ": the context encodes to no tokens");
        return new Encoded(c, choices);
    }

    /** Each choice's summed log-probability, the context run once. */
    static double[] loglikelihoods(Transformer.Cache cache, Encoded e, Parallel par) {
        float[] last = cache.extend(e.context, e.context.length - 1, par);
        int base = cache.length();
        double[] out = new double[e.choices.length];
        for (int k = 0; k < e.choices.length; k++) {
            int[] cont = e.choices[k];
            double ll = logProb(last, 1, 0, cont[0]);
            if (cont.length > 1) {
                float[] logits = cache.extend(Arrays.copyOf(cont, cont.length - 1), 0, par);
                int s = cont.length - 1;
                for (int p = 0; p < s; p++) ll += logProb(logits, s, p, cont[p + 1]);
            }
            cache.rewind(base);
            out[k] = ll;
        }
        return out;
    }

    /** log softmax of column p of feature-major logits ({@code logits[v · s + p]}) at {@code token}. */
    static double logProb(float[] logits, int s, int p, int token) {
        int vocab = logits.length / s;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[v * s + p]);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp(logits[v * s + p] - max);
        return logits[token * s + p] - max - Math.log(sum);
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return x.length == 0 ? Double.NaN : s / x.length;
    }

    /** lm-evaluation-harness' mean_stderr: the sample standard deviation (n − 1) over √n. */
    private static double stderr(double[] x) {
        if (x.length < 2) return Double.NaN;
        double m = mean(x);
        double ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / (x.length - 1)) / Math.sqrt(x.length);
    }
}
