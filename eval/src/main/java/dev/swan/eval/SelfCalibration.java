package dev.swan.eval;

import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text self-calibration reads, written by the model itself (no dataset): sequences sampled from BOS at
 * temperature 1 with seeded generators, sized for the model ({@link Plan}); the sensitivities are measured
 * on it by {@link FisherInformation}. The noise-injection measurement this replaced (two forward passes per
 * tensor, after the linearity theorem of HIGGS) remains in the tests as the reference it was chosen against.
 */
public final class SelfCalibration {
    private SelfCalibration() {
    }

    /**
     * @param sequences  sequences the model generates side by side
     * @param length     tokens per sequence (BOS included)
     * @param seed       seeds the sampling (with each sequence's index)
     */
    public record Settings(int sequences, int length, long seed) {
        public Settings {
            if (sequences < 1 || length < 2) throw new EvalException("self-calibration needs at least one sequence of 2 tokens");
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
        static final double GENERATION_BUDGET = 2.7e11;
        /** Parameter-tokens of the Fisher pass: about two minutes at 8B with 128 tokens. */
        static final double PASS_BUDGET = 1.1e12;
        /** More draws than this no longer steady the ranking on the shared models. */
        static final int MAX_DRAWS = 4;

        public Plan {
            if (contexts < 1 || joined < 1 || length < 2 || draws < 1) throw new EvalException("self-calibration needs text");
        }

        /**
         * The plan for a model whose forward pass reads {@code activeParameters} weights per token:
         * {@code tokens} (0: 512 tokens while that is cheap, down to 128 at 8B) in contexts of up to 128,
         * generated in snippets of 128 tokens, or shorter where steps are expensive (32 at 8B, 16 from 16B:
         * each step reads every weight, from disk once the model outgrows the page cache); label draws
         * (backward passes) with twice the generation's budget, from one at 8B up to four (small models, whose
         * estimate is the noisier: four draws rank qwen3-gutenberg-4m's tensors at 0.947–0.955 over three
         * seeds, two at 0.938–0.955).
         */
        public static Plan of(long activeParameters, int tokens) {
            double p = Math.max(1, activeParameters);
            // a multiple of 16 positions: products over a number of columns that fills vectors run fastest
            int total = tokens > 0 ? Math.max(16, tokens / 16 * 16) : (int) clampPow2(PASS_BUDGET / p, CONTEXT, 4 * CONTEXT);
            int context = Math.min(CONTEXT, total);
            int length = (int) Math.min(context, clampPow2(GENERATION_BUDGET / p, 16, CONTEXT));
            int joined = Math.max(1, context / length);
            int draws = (int) Math.max(1, Math.min(MAX_DRAWS, 2 * GENERATION_BUDGET / (p * total)));
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
        int[][] snippets = generate(t, bos, new Settings(plan.contexts() * plan.joined(), plan.length() + 1, seed),
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

    /**
     * A tied model as its runtimes see it: no separate head, so the embedding also produces the logits and
     * its sensitivity covers both roles (a stored copy of the head is what the writers leave out).
     */
    public static StoredModel untiedView(StoredModel m) {
        if (!m.config().tieWordEmbeddings() || !m.tensors().containsKey("lm_head.weight")) return m;
        Map<String, StoredTensor> t = new LinkedHashMap<>(m.tensors());
        t.remove("lm_head.weight");
        return new TensorsView(m, Collections.unmodifiableMap(t));
    }
}
