package dev.swan.eval;

import dev.swan.api.numeric.Parallel;

/**
 * A mixture-of-experts feed-forward block as qwen3_moe, qwen2_moe and mixtral run it (and llama.cpp's
 * build_moe_ffn with softmax gating): per position, softmax over the router's logits, the top-k experts
 * (ties to the lower index), their probabilities renormalised when the architecture says so, the experts'
 * SiLU-gated MLP outputs summed with those weights; qwen2_moe adds its shared expert scaled by
 * sigmoid(shared gate · x). Each expert runs once on all the positions routed to it.
 */
final class MixtureOfExperts implements Transformer.FeedForward {
    private final Linear router;
    private final Transformer.FeedForward[] experts;
    private final Transformer.FeedForward shared;
    private final Linear sharedGate;
    private final int perToken;
    private final boolean normTopK;

    MixtureOfExperts(Linear router, Transformer.FeedForward[] experts, Transformer.FeedForward shared, Linear sharedGate,
                     int perToken, boolean normTopK) {
        this.router = router;
        this.experts = experts.clone();
        this.shared = shared;
        this.sharedGate = sharedGate;
        this.perToken = perToken;
        this.normTopK = normTopK;
    }

    Linear router() {
        return router;
    }

    Transformer.FeedForward expert(int e) {
        return experts[e];
    }

    int experts() {
        return experts.length;
    }

    Transformer.FeedForward shared() {
        return shared;
    }

    Linear sharedGate() {
        return sharedGate;
    }

    boolean normTopK() {
        return normTopK;
    }

    /**
     * Which experts each position uses and with what weight: {@code top[pos·k + j]} and {@code topWeight}
     * of the same index; per expert, the positions routed to it in order ({@code chosen}) and their weights.
     */
    record Routing(int[] top, float[] topWeight, int[][] chosen, float[][] weight) {
    }

    /** Routes {@code t} positions from the router's logits ({@code experts × t}, feature-major). */
    Routing route(float[] logits, int t) {
        int e = experts.length;
        int[][] chosen = new int[e][];
        float[][] weight = new float[e][];
        int[] count = new int[e];
        int[] top = new int[t * perToken];
        float[] topWeight = new float[t * perToken];
        double[] p = new double[e];
        for (int pos = 0; pos < t; pos++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < e; i++) max = Math.max(max, logits[i * t + pos]);
            double sum = 0;
            for (int i = 0; i < e; i++) sum += p[i] = Math.exp(logits[i * t + pos] - max);
            boolean[] used = new boolean[e];
            double kept = 0;
            for (int k = 0; k < perToken; k++) {
                int best = -1;
                for (int i = 0; i < e; i++) if (!used[i] && (best < 0 || p[i] > p[best])) best = i;
                used[best] = true;
                top[pos * perToken + k] = best;
                topWeight[pos * perToken + k] = (float) (p[best] / sum);
                kept += p[best] / sum;
                count[best]++;
            }
            if (normTopK) {
                for (int k = 0; k < perToken; k++) topWeight[pos * perToken + k] = (float) (topWeight[pos * perToken + k] / kept);
            }
        }
        for (int i = 0; i < e; i++) {
            chosen[i] = new int[count[i]];
            weight[i] = new float[count[i]];
            count[i] = 0;
        }
        for (int j = 0; j < top.length; j++) {
            int i = top[j];
            chosen[i][count[i]] = j / perToken;
            weight[i][count[i]++] = topWeight[j];
        }
        return new Routing(top, topWeight, chosen, weight);
    }

    @Override
    public void forward(float[] x, int t, float[] y, Parallel par, Energies energies) {
        int d = x.length / t;
        int e = experts.length;
        float[] logits = new float[e * t];
        if (energies != null) energies.add(router, x, t);
        router.forward(x, t, logits, par);
        Routing routing = route(logits, t);
        int[][] chosen = routing.chosen();
        float[][] weight = routing.weight();
        java.util.Arrays.fill(y, 0f);
        for (int i = 0; i < e; i++) {
            int n = chosen[i].length;
            if (n == 0) continue;
            float[] xe = new float[d * n];
            for (int k = 0; k < d; k++) {
                for (int j = 0; j < n; j++) xe[k * n + j] = x[k * t + chosen[i][j]];
            }
            float[] ye = new float[d * n];
            experts[i].forward(xe, n, ye, par, energies);
            for (int k = 0; k < d; k++) {
                for (int j = 0; j < n; j++) y[k * t + chosen[i][j]] += weight[i][j] * ye[k * n + j];
            }
        }
        if (shared != null) {
            float[] ys = new float[d * t];
            shared.forward(x, t, ys, par, energies);
            float[] g = new float[t];
            if (energies != null) energies.add(sharedGate, x, t);
            sharedGate.forward(x, t, g, par);
            for (int pos = 0; pos < t; pos++) {
                float s = (float) (1.0 / (1.0 + Math.exp(-g[pos])));
                for (int k = 0; k < d; k++) y[k * t + pos] += s * ys[k * t + pos];
            }
        }
    }
}
