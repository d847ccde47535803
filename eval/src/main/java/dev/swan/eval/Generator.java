package dev.swan.eval;

import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.Arrays;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Text generation on the key/value cache: the prompt in one batched pass, then a token at a time, each
 * chosen greedily (temperature 0: the most likely, the lowest id on a tie) or sampled from the distribution
 * at a temperature, cut to its top-p nucleus, with a generator seeded from {@code seed} (same seed, same
 * text). Stops at a stop token (not emitted) or after {@code maxTokens}.
 */
public final class Generator {
    /** How to choose tokens. */
    public record Settings(int maxTokens, double temperature, double topP, long seed) {
        public Settings {
            if (maxTokens < 1) throw new EvalException("--max-tokens must be at least 1, got " + maxTokens);
            if (!(temperature >= 0)) throw new EvalException("--temperature must be 0 (greedy) or more, got " + temperature);
            if (!(topP > 0 && topP <= 1)) throw new EvalException("--top-p must be in (0, 1], got " + topP);
        }
    }

    /** What a run took: tokens and seconds of the prompt pass and of the generation. */
    public record Stats(int promptTokens, double promptSeconds, int generated, double generateSeconds) {
        public double tokensPerSecond() {
            return generated / Math.max(1e-9, generateSeconds);
        }
    }

    private Generator() {
    }

    /**
     * Generates after {@code prompt}, handing each new token to {@code onToken} as it is chosen.
     *
     * @param maxPositions the most positions the model takes (prompt and output)
     */
    public static Stats generate(Transformer model, int[] prompt, Set<Integer> stop, Settings s, int maxPositions,
                                 IntConsumer onToken, Parallel par) {
        if (prompt.length == 0) throw new EvalException("the prompt encodes to no tokens (and the tokenizer adds no BOS)");
        if (prompt.length >= maxPositions) {
            throw new EvalException("the prompt is " + prompt.length + " tokens but the model takes " + maxPositions
                    + " positions in all: shorten it");
        }
        int capacity = Math.min(maxPositions, prompt.length + s.maxTokens());
        Transformer.Cache cache = model.cache(capacity);
        SeededRandom random = new SeededRandom(s.seed());
        long t0 = System.nanoTime();
        float[] logits = cache.extend(prompt, prompt.length - 1, par);
        long t1 = System.nanoTime();
        int generated = 0;
        while (generated < s.maxTokens()) {
            int next = s.temperature() == 0 ? argmax(logits) : sample(logits, s.temperature(), s.topP(), random);
            if (stop.contains(next)) break;
            onToken.accept(next);
            generated++;
            if (cache.length() >= capacity) break;
            logits = cache.extend(new int[] {next}, 0, par);
        }
        long t2 = System.nanoTime();
        return new Stats(prompt.length, (t1 - t0) / 1e9, generated, (t2 - t1) / 1e9);
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** A draw from softmax(logits / temperature) restricted to the smallest set of top tokens holding top-p of it. */
    static int sample(float[] logits, double temperature, double topP, SeededRandom random) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp((logits[i] - max) / temperature);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        // most likely first, ids ascending on ties: a total order, so the draw is reproducible
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        double kept = 0;
        int k = 0;
        while (k < n && (k == 0 || kept < topP * sum)) kept += p[order[k++]];
        double u = random.nextDouble() * kept;
        double acc = 0;
        for (int i = 0; i < k; i++) {
            acc += p[order[i]];
            if (u < acc) return order[i];
        }
        return order[k - 1];
    }
}
