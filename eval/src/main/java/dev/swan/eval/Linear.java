package dev.swan.eval;

import dev.swan.api.StoredTensor;
import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;

/**
 * y = W·x (+ b) with W kept as stored: each task decodes a tile of W's rows into a small float buffer and
 * multiplies it with all positions at once, so a weight is never expanded whole. Activations are
 * feature-major ({@code x[k·t + p]}). Every output element is computed by one tile in one fixed order,
 * so results do not depend on the number of threads.
 */
final class Linear {
    /** Rows decoded at a time: the product kernel's own task size. */
    static final int TILE = 64;

    private final StoredTensor weight;
    private final float[] bias;
    private final int in;
    private final int out;

    Linear(StoredTensor weight, float[] bias) {
        this.weight = weight;
        this.bias = bias;
        this.in = Math.toIntExact(weight.cols());
        this.out = Math.toIntExact(weight.rows());
    }

    int in() {
        return in;
    }

    int out() {
        return out;
    }

    StoredTensor weight() {
        return weight;
    }

    /** Rows decoded and multiplied at a time by {@link #backward}. */
    static final int BACKWARD_TILE = 256;

    /**
     * The input gradient dx[in × t] = Wᵀ · dy[out × t] (a bias has none), W decoded {@link #BACKWARD_TILE}
     * rows at a time (in parallel, 64 rows per task) and the tiles accumulated in row order, so every
     * element is one sum in a fixed order whatever the thread count. Returns ‖W‖², summed in the same order.
     */
    double backward(float[] dy, int t, float[] dx, Parallel par) {
        java.util.Arrays.fill(dx, 0, in * t, 0f);
        float[] w = new float[BACKWARD_TILE * in];
        float[] g = new float[BACKWARD_TILE * t];
        double energy = 0;
        for (int r0 = 0; r0 < out; r0 += BACKWARD_TILE) {
            int rows = Math.min(BACKWARD_TILE, out - r0);
            int pieces = (rows + TILE - 1) / TILE;
            double[] e = new double[pieces];
            int first = r0;
            par.forEach(pieces, k -> {
                int a = k * TILE;
                int n = Math.min(TILE, rows - a);
                float[] buf = new float[n * in];
                weight.decodeRows(first + a, n, buf);
                double s = 0;
                for (float v : buf) s += (double) v * v;
                e[k] = s;
                System.arraycopy(buf, 0, w, a * in, n * in);
            });
            for (double v : e) energy += v;
            System.arraycopy(dy, r0 * t, g, 0, rows * t);
            MatMul.multiplyTransposedAdd(w, rows, in, g, t, dx, par);
        }
        return energy;
    }

    /** y[out × t] = W · x[in × t] (+ bias). */
    void forward(float[] x, int t, float[] y, Parallel par) {
        int tiles = (out + TILE - 1) / TILE;
        int tasks = Math.min(tiles, Math.max(1, par.threads() * 4));
        par.forEach(tasks, task -> {
            float[] w = new float[TILE * in];
            float[] c = new float[TILE * t];
            for (int tile = task * tiles / tasks; tile < (task + 1) * tiles / tasks; tile++) {
                int r0 = tile * TILE;
                int rows = Math.min(TILE, out - r0);
                weight.decodeRows(r0, rows, w);
                MatMul.multiply(w, rows, in, x, t, c, Parallel.sequential());
                System.arraycopy(c, 0, y, r0 * t, rows * t);
                if (bias != null) {
                    for (int r = 0; r < rows; r++) {
                        float b = bias[r0 + r];
                        int o = (r0 + r) * t;
                        for (int p = 0; p < t; p++) y[o + p] += b;
                    }
                }
            }
        });
    }
}
