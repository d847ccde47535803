package dev.swan.eval;

import dev.swan.api.numeric.Parallel;
import dev.swan.toolkit.numeric.MatMul;

/**
 * One decoder layer run forward with its intermediates kept, then backward: the same computation as
 * {@link Transformer}'s layer (RMSNorm, q/k/v with optional biases, qwen3's q/k norms, RoPE, causal
 * grouped-query attention, output projection, residual, RMSNorm, feed-forward, residual) over several
 * sequences side by side ({@code bounds} cut the t positions into sequences; attention stays inside each).
 */
final class LayerTape {
    private final Architecture a;
    private final Transformer.Layer layer;
    private final int t;
    private final int[] bounds;
    private final float[][] rope;
    private final float[][] unrope;
    private float[] x;
    private float[] h1;
    private float[] q0;
    private float[] k0;
    private float[] q;
    private float[] k;
    private float[] v;
    private float[][] probs;
    private float[] o;
    private float[] x2;
    private float[] h2;
    private FeedForwardTape ffn;

    /**
     * @param rope   cos and sin of every position's place in its sequence ({@link #ropeTable})
     * @param unrope the same with sin negated: the inverse rotation
     */
    LayerTape(Architecture a, Transformer.Layer layer, int t, int[] bounds, float[][] rope, float[][] unrope) {
        this.a = a;
        this.layer = layer;
        this.t = t;
        this.bounds = bounds.clone();
        this.rope = rope;
        this.unrope = unrope;
    }

    /** RoPE's table for sequences side by side: row p holds the angles of p's place in its sequence. */
    static float[][] ropeTable(Rope r, int[] bounds, boolean inverse) {
        int longest = 0;
        for (int s = 0; s + 1 < bounds.length; s++) longest = Math.max(longest, bounds[s + 1] - bounds[s]);
        float[][] one = r.table(Math.max(1, longest));
        int half = one[0].length / Math.max(1, longest);
        int t = bounds[bounds.length - 1];
        float[] cos = new float[t * half];
        float[] sin = new float[t * half];
        for (int s = 0; s + 1 < bounds.length; s++) {
            for (int p = bounds[s]; p < bounds[s + 1]; p++) {
                int at = p - bounds[s];
                for (int i = 0; i < half; i++) {
                    cos[p * half + i] = one[0][at * half + i];
                    sin[p * half + i] = inverse ? -one[1][at * half + i] : one[1][at * half + i];
                }
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * Runs the layer on {@code in} (hidden × t, not modified) and returns its output, keeping what backward
     * needs; {@code energies}, when not null, records every projection's inputs.
     */
    float[] forward(float[] in, Parallel par, Energies energies) {
        int d = a.hidden();
        int hd = a.headDim();
        x = in;
        h1 = new float[d * t];
        Transformer.rmsNorm(x, d, t, layer.attnNorm(), a.rmsEps(), h1);
        q = new float[a.qDim() * t];
        k = new float[a.kvDim() * t];
        v = new float[a.kvDim() * t];
        if (energies != null) {
            energies.add(layer.q(), h1, t);
            energies.add(layer.k(), h1, t);
            energies.add(layer.v(), h1, t);
        }
        layer.q().forward(h1, t, q, par);
        layer.k().forward(h1, t, k, par);
        layer.v().forward(h1, t, v, par);
        if (layer.qNorm() != null) {
            q0 = q.clone();
            k0 = k.clone();
            Transformer.headNorm(q, a.heads(), hd, t, layer.qNorm(), a.rmsEps());
            Transformer.headNorm(k, a.kvHeads(), hd, t, layer.kNorm(), a.rmsEps());
        }
        Rope.apply(q, a.heads(), hd, t, rope);
        Rope.apply(k, a.kvHeads(), hd, t, rope);
        o = new float[a.qDim() * t];
        int segments = bounds.length - 1;
        probs = new float[segments * a.heads()][];
        int group = a.heads() / a.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        par.forEach(segments * a.heads(), job -> {
            int s = job / a.heads();
            int head = job % a.heads();
            int from = bounds[s];
            int len = bounds[s + 1] - from;
            if (len == 0) return;
            float[] qh = slice(q, head, hd, from, len);
            float[] kh = slice(k, head / group, hd, from, len);
            float[] vh = slice(v, head / group, hd, from, len);
            float[] p = new float[len * len]; // p[j·len + i]: key j against query i
            MatMul.multiplyTransposed(kh, hd, len, qh, len, p, Parallel.sequential());
            Transformer.softmaxCausal(p, len, scale, a.slidingWindow());
            float[] oh = new float[hd * len];
            MatMul.multiply(vh, hd, len, p, len, oh, Parallel.sequential());
            unslice(oh, o, head, hd, from, len);
            probs[job] = p;
        });
        float[] y = new float[d * t];
        if (energies != null) energies.add(layer.o(), o, t);
        layer.o().forward(o, t, y, par);
        x2 = x.clone();
        Backprop.add(x2, y);
        h2 = new float[d * t];
        Transformer.rmsNorm(x2, d, t, layer.ffnNorm(), a.rmsEps(), h2);
        ffn = FeedForwardTape.run(layer.ffn(), h2, t, bounds, y, par, energies);
        float[] out = x2.clone();
        Backprop.add(out, y);
        return out;
    }

    /** The gradient at the layer's input for {@code dOut} at its output; adds every weight's statistics to {@code sums}. */
    float[] backward(float[] dOut, FisherSums sums, Parallel par) {
        int d = a.hidden();
        float[] dx2 = dOut.clone();
        float[] dh2 = ffn.backward(dOut, sums, par);
        Backprop.rmsNorm(x2, d, t, layer.ffnNorm(), a.rmsEps(), dh2, dx2);
        float[] dx = dx2.clone();
        float[] dh1 = attentionBackward(dx2, sums, par);
        Backprop.rmsNorm(x, d, t, layer.attnNorm(), a.rmsEps(), dh1, dx);
        return dx;
    }

    private float[] attentionBackward(float[] dy, FisherSums sums, Parallel par) {
        int hd = a.headDim();
        float[] dO = sums.linear(layer.o(), dy, o, t, bounds, par);
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        int group = a.heads() / a.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int segments = bounds.length - 1;
        // one job per (sequence, key/value head): it alone writes that head's dk, dv and its query heads' dq
        par.forEach(segments * a.kvHeads(), job -> {
            int s = job / a.kvHeads();
            int kvh = job % a.kvHeads();
            int from = bounds[s];
            int len = bounds[s + 1] - from;
            if (len == 0) return;
            float[] kh = slice(k, kvh, hd, from, len);
            float[] vh = slice(v, kvh, hd, from, len);
            float[] dkh = new float[hd * len];
            float[] dvh = new float[hd * len];
            float[] tmp = new float[hd * len];
            float[] dp = new float[len * len];
            float[] transposed = new float[len * len];
            for (int head = kvh * group; head < (kvh + 1) * group; head++) {
                float[] p = probs[s * a.heads() + head];
                float[] qh = slice(q, head, hd, from, len);
                float[] doh = slice(dO, head, hd, from, len);
                // dP[j, i] = v_j · dO_i; dV_j += Σ_i P[j, i] dO_i
                MatMul.multiplyTransposed(vh, hd, len, doh, len, dp, Parallel.sequential());
                transpose(p, len, transposed);
                MatMul.multiply(doh, hd, len, transposed, len, tmp, Parallel.sequential());
                Backprop.add(dvh, tmp);
                // softmax: dS[j, i] = P[j, i] (dP[j, i] − Σ_j' P[j', i] dP[j', i]), then the scores' scale
                for (int i = 0; i < len; i++) {
                    double dot = 0;
                    for (int j = 0; j <= i; j++) dot += (double) p[j * len + i] * dp[j * len + i];
                    for (int j = 0; j < len; j++) dp[j * len + i] = j <= i ? (float) (p[j * len + i] * (dp[j * len + i] - dot) * scale) : 0f;
                }
                // scores S[j, i] = k_j · q_i: dQ_i = Σ_j dS[j, i] k_j, dK_j += Σ_i dS[j, i] q_i
                float[] dqh = new float[hd * len];
                MatMul.multiply(kh, hd, len, dp, len, dqh, Parallel.sequential());
                unslice(dqh, dq, head, hd, from, len);
                transpose(dp, len, transposed);
                MatMul.multiply(qh, hd, len, transposed, len, tmp, Parallel.sequential());
                Backprop.add(dkh, tmp);
            }
            unslice(dkh, dk, kvh, hd, from, len);
            unslice(dvh, dv, kvh, hd, from, len);
        });
        Rope.apply(dq, a.heads(), hd, t, unrope);
        Rope.apply(dk, a.kvHeads(), hd, t, unrope);
        if (layer.qNorm() != null) {
            Backprop.headNorm(q0, a.heads(), hd, t, layer.qNorm(), a.rmsEps(), dq);
            Backprop.headNorm(k0, a.kvHeads(), hd, t, layer.kNorm(), a.rmsEps(), dk);
        }
        float[] dh = sums.linear(layer.q(), dq, h1, t, bounds, par);
        Backprop.add(dh, sums.linear(layer.k(), dk, h1, t, bounds, par));
        Backprop.add(dh, sums.linear(layer.v(), dv, h1, t, bounds, par));
        return dh;
    }

    /** Head {@code h}'s rows of x[heads·hd × t], positions [from, from + len), as [hd × len]. */
    private float[] slice(float[] x, int h, int hd, int from, int len) {
        float[] out = new float[hd * len];
        for (int e = 0; e < hd; e++) System.arraycopy(x, (h * hd + e) * t + from, out, e * len, len);
        return out;
    }

    private void unslice(float[] part, float[] x, int h, int hd, int from, int len) {
        for (int e = 0; e < hd; e++) System.arraycopy(part, e * len, x, (h * hd + e) * t + from, len);
    }

    private static void transpose(float[] m, int n, float[] out) {
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[j * n + i] = m[i * n + j];
    }

    /** Drops the intermediates once the backward pass has used them. */
    void release() {
        h1 = q0 = k0 = q = k = v = o = x2 = h2 = null;
        probs = null;
        ffn = null;
        x = null;
    }
}
