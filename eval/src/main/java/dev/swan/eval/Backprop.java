package dev.swan.eval;

/** The backward rules of the forward pass's elementwise pieces (activations feature-major, {@code x[k·t + p]}). */
final class Backprop {
    private Backprop() {
    }

    /**
     * dx += ∂/∂x of y = x / sqrt(mean(x²) + eps) · w at every position, given dy: dx_k = s·w_k·dy_k −
     * x_k·s³·Σ_m w_m·dy_m·x_m / d, with s the position's inverse root mean square.
     */
    static void rmsNorm(float[] x, int d, int t, float[] w, double eps, float[] dy, float[] dx) {
        double[] ss = new double[t];
        double[] dot = new double[t];
        for (int k = 0; k < d; k++) {
            int o = k * t;
            double wk = w[k];
            for (int p = 0; p < t; p++) {
                double v = x[o + p];
                ss[p] += v * v;
                dot[p] += wk * dy[o + p] * v;
            }
        }
        double[] inv = new double[t];
        double[] c = new double[t];
        for (int p = 0; p < t; p++) {
            inv[p] = 1.0 / Math.sqrt(ss[p] / d + eps);
            c[p] = inv[p] * inv[p] * inv[p] * dot[p] / d;
        }
        for (int k = 0; k < d; k++) {
            int o = k * t;
            double wk = w[k];
            for (int p = 0; p < t; p++) dx[o + p] += (float) (inv[p] * wk * dy[o + p] - x[o + p] * c[p]);
        }
    }

    /** qwen3's per-head RMSNorm: {@code dx} (heads × hd × t) becomes the gradient at the norm's input {@code x}. */
    static void headNorm(float[] x, int heads, int hd, int t, float[] w, double eps, float[] dx) {
        float[] xs = new float[hd * t];
        float[] dys = new float[hd * t];
        float[] dxs = new float[hd * t];
        for (int h = 0; h < heads; h++) {
            int o = h * hd * t;
            System.arraycopy(x, o, xs, 0, hd * t);
            System.arraycopy(dx, o, dys, 0, hd * t);
            java.util.Arrays.fill(dxs, 0f);
            rmsNorm(xs, hd, t, w, eps, dys, dxs);
            System.arraycopy(dxs, 0, dx, o, hd * t);
        }
    }

    /** x += y. */
    static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    /** SiLU-gated product a = silu(g)·u: the gradients at g and u given da, written over g and u. */
    static void siluGate(float[] g, float[] u, float[] da) {
        for (int i = 0; i < g.length; i++) {
            double gi = g[i];
            double sig = 1.0 / (1.0 + Math.exp(-gi));
            double silu = gi * sig;
            double dg = da[i] * u[i] * sig * (1 + gi * (1 - sig));
            u[i] = (float) (da[i] * silu);
            g[i] = (float) dg;
        }
    }
}
