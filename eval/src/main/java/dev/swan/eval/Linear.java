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

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] out = new float[x.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
        return out;
    }

    /** Rows decoded and multiplied at a time by {@link #backward}. */
    static final int BACKWARD_TILE = 256;

    /**
     * The input gradient dx[in × t] = Wᵀ · dy[out × t] (a bias has none), W decoded {@link #BACKWARD_TILE}
     * rows at a time (in parallel, 64 rows per task) and the tiles accumulated in row order, so every
     * element is one sum in a fixed order whatever the thread count. {@code rowEnergy}, when given, gets
     * each row's ‖W_i‖² (the weights are decoded anyway).
     */
    void backward(float[] dy, int t, float[] dx, double[] rowEnergy, Parallel par) {
        java.util.Arrays.fill(dx, 0, in * t, 0f);
        float[] w = new float[BACKWARD_TILE * in];
        float[] g = new float[BACKWARD_TILE * t];
        // one decode buffer per piece of a tile, reused for every tile (not a new one per piece)
        float[][] bufs = new float[BACKWARD_TILE / TILE][TILE * in];
        for (int r0 = 0; r0 < out; r0 += BACKWARD_TILE) {
            int rows = Math.min(BACKWARD_TILE, out - r0);
            int pieces = (rows + TILE - 1) / TILE;
            int first = r0;
            par.forEach(pieces, k -> {
                int a = k * TILE;
                int n = Math.min(TILE, rows - a);
                float[] buf = bufs[k];
                weight.decodeRows(first + a, n, buf);
                if (rowEnergy != null) rowEnergies(buf, n, in, rowEnergy, first + a);
                System.arraycopy(buf, 0, w, a * in, n * in);
            });
            System.arraycopy(dy, r0 * t, g, 0, rows * t);
            MatMul.multiplyTransposedAdd(w, rows, in, g, t, dx, par);
        }
    }

    /** out[at + i] = ‖row i‖² for the n rows of w[n × cols]. */
    static void rowEnergies(float[] w, int n, int cols, double[] out, long at) {
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += (double) w[i * cols + j] * w[i * cols + j];
            out[(int) at + i] = s;
        }
    }

    /** Positions up to which products run as dot products along the rows (decoding a few tokens at a time). */
    static final int NARROW = 8;

    /** y[out × t] = W · x[in × t] (+ bias). */
    void forward(float[] x, int t, float[] y, Parallel par) {
        int tiles = (out + TILE - 1) / TILE;
        int tasks = Math.min(tiles, Math.max(1, par.threads() * 4));
        float[] xt = t <= NARROW ? transpose(x, in, t) : null;
        par.forEach(tasks, task -> {
            float[] w = new float[TILE * in];
            float[] c = new float[TILE * t];
            for (int tile = task * tiles / tasks; tile < (task + 1) * tiles / tasks; tile++) {
                int r0 = tile * TILE;
                int rows = Math.min(TILE, out - r0);
                weight.decodeRows(r0, rows, w);
                if (xt != null) MatMul.multiplyNarrow(w, rows, in, xt, t, c);
                else MatMul.multiply(w, rows, in, x, t, c, Parallel.sequential());
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
