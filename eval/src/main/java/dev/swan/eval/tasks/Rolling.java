package dev.swan.eval.tasks;

import dev.swan.api.ProgressSink;
import dev.swan.api.numeric.Parallel;
import dev.swan.eval.EvalException;
import dev.swan.eval.Transformer;
import dev.swan.eval.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Rolling log-likelihood of whole documents, lm-evaluation-harness' {@code loglikelihood_rolling}: each
 * document's tokens (no BOS) in windows of the context length, the first conditioned on BOS alone and the
 * others on the tokens before them, every token predicted once; reported as word and byte perplexity and
 * bits per byte (the sums over documents divided by their words and bytes, counted on the stored text), and
 * token perplexity under the same protocol.
 */
public final class Rolling {
    /** A corpus's result for one model. */
    public record Result(String task, int documents, int ctx, long tokens, long words, long bytes, double loglikelihood) {
        public double wordPerplexity() {
            return Math.exp(-loglikelihood / words);
        }

        public double bytePerplexity() {
            return Math.exp(-loglikelihood / bytes);
        }

        public double bitsPerByte() {
            return -loglikelihood / bytes / Math.log(2);
        }

        public double tokenPerplexity() {
            return Math.exp(-loglikelihood / tokens);
        }
    }

    private Rolling() {
    }

    /** {@code pages} scored with windows of {@code ctx} tokens; {@code wikitext} detokenizes each page first. */
    public static Result score(String task, Transformer model, Tokenizer tok, List<String> pages, boolean wikitext, int ctx,
                               ProgressSink progress, Parallel par) {
        int prefix = tok.bos();
        if (prefix < 0) throw new EvalException(task + ": the tokenizer has no BOS token to condition the first window on");
        if (ctx < 2) throw new EvalException(task + ": the context must be at least 2 tokens, got " + ctx);
        double ll = 0;
        long tokens = 0;
        long words = 0;
        long bytes = 0;
        for (int d = 0; d < pages.size(); d++) {
            progress.update(d, pages.size(), task);
            String page = pages.get(d);
            words += Wikitext.words(page);
            bytes += Wikitext.bytes(page);
            int[] ids = tok.encode(wikitext ? Wikitext.detokenize(page) : page);
            if (tok.addsBos() && ids.length > 0 && ids[0] == prefix) ids = Arrays.copyOfRange(ids, 1, ids.length);
            tokens += ids.length;
            ll += document(model, ids, prefix, ctx, par);
        }
        progress.update(pages.size(), pages.size(), task);
        return new Result(task, pages.size(), ctx, tokens, words, bytes, ll);
    }

    /** get_rolling_token_windows with context_len 1: disjoint predictions, each window as long as allowed. */
    static double document(Transformer model, int[] ids, int prefix, int maxLen, Parallel par) {
        if (ids.length == 0) return 0;
        double ll = 0;
        int first = Math.min(maxLen, ids.length);
        int[] input = new int[first];
        input[0] = prefix;
        System.arraycopy(ids, 0, input, 1, first - 1);
        ll += window(model, input, Arrays.copyOf(ids, first), par);
        int predicted = first;
        while (predicted < ids.length) {
            int pred = Math.min(ids.length - predicted, maxLen);
            int end = predicted + pred;
            int from = Math.max(0, end - maxLen - 1);
            ll += window(model, Arrays.copyOfRange(ids, from, end - 1), Arrays.copyOfRange(ids, end - pred, end), par);
            predicted += pred;
        }
        return ll;
    }

    /** The log-probability of {@code targets}, the last positions' next tokens of {@code input}. */
    static double window(Transformer model, int[] input, int[] targets, Parallel par) {
        int t = input.length;
        int s = targets.length;
        float[] logits = model.logits(input, t - s, t, par);
        double ll = 0;
        for (int p = 0; p < s; p++) ll += MultipleChoice.logProb(logits, s, p, targets[p]);
        return ll;
    }
}
