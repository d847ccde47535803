package dev.swan.eval;

import dev.swan.api.numeric.Parallel;

/**
 * The diagonal Fisher information of one weight matrix, summed over positions and reduced to what the
 * planner and the rounding use: its trace, its row sums and its column sums. A linear layer's gradient over
 * one sequence is G = Δ·Xᵀ (Δ: the output gradients, X: the inputs, one column per position), so
 * ‖G‖² = Σ_pq (ΔᵀΔ)_pq (XᵀX)_pq, column j's share is x_jᵀ(ΔᵀΔ)x_j and row i's δ_iᵀ(XᵀX)δ_i: small Gram
 * matrices of the sequence instead of the whole gradient. Sequences are squared separately (their
 * gradients are independent draws), which lowers the estimate's variance at no cost.
 */
final class FisherStats {
    /** Rows of a Gram product accumulated per task: a fixed split, so sums do not depend on the thread count. */
    private static final int GRAM_TASKS = 32;

    private final int rows;
    private final int cols;
    private final double[] rowSums;
    private final double[] colSums;
    private double trace;
    private double[] rowEnergy;

    FisherStats(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.rowSums = new double[rows];
        this.colSums = new double[cols];
    }

    double trace() {
        return trace;
    }

    double[] rowSums() {
        return rowSums;
    }

    double[] colSums() {
        return colSums;
    }

    /** Each row's ‖W_i‖², once known (null before). */
    double[] rowEnergy() {
        return rowEnergy;
    }

    /** The array the weights' row energies are to be written into. */
    double[] newRowEnergy() {
        rowEnergy = new double[rows];
        return rowEnergy;
    }

    /**
     * Adds the gradients of a layer y = W·x over {@code t} positions: {@code delta[rows × t]} the output
     * gradients, {@code x[cols × t]} the inputs (both feature-major); {@code bounds} cut the positions into
     * sequences ({@code 0 = bounds[0] < ... < bounds[last] = t}).
     */
    void add(float[] delta, float[] x, int t, int[] bounds, Parallel par) {
        for (int s = 0; s + 1 < bounds.length; s++) {
            int from = bounds[s];
            int len = bounds[s + 1] - from;
            if (len == 0) continue;
            double[] m = gram(delta, rows, t, from, len, par);
            double[] n = gram(x, cols, t, from, len, par);
            double tr = 0;
            for (int i = 0; i < len * len; i++) tr += m[i] * n[i];
            trace += tr;
            quadraticForms(x, cols, t, from, len, m, colSums, par);
            quadraticForms(delta, rows, t, from, len, n, rowSums, par);
        }
    }

    /** Adds a gradient given row by row: {@code g[k]} is row {@code index[k]}'s gradient over one sequence. */
    void addRows(int[] index, float[][] g) {
        for (int k = 0; k < index.length; k++) {
            double s = 0;
            float[] r = g[k];
            for (int j = 0; j < cols; j++) {
                double v = r[j];
                s += v * v;
                colSums[j] += v * v;
            }
            rowSums[index[k]] += s;
            trace += s;
        }
    }

    /**
     * Adds {@code ‖a + b‖² − ‖a‖²} for rows whose gradient has two parts, one already added ({@code a}, a tied
     * head's) and one not ({@code b}, the embedding lookup's).
     */
    void addRowsOnTop(int[] index, float[][] a, float[][] b) {
        for (int k = 0; k < index.length; k++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                double d = 2.0 * a[k][j] * b[k][j] + (double) b[k][j] * b[k][j];
                s += d;
                colSums[j] += d;
            }
            rowSums[index[k]] += s;
            trace += s;
        }
    }

    /** g[len × len] = Aᵀ·A over the columns [from, from + len) of a[n × t], in double. */
    static double[] gram(float[] a, int n, int t, int from, int len, Parallel par) {
        int tasks = Math.min(GRAM_TASKS, n);
        double[][] part = new double[tasks][];
        par.forEach(tasks, k -> {
            double[] g = new double[len * len];
            double[] col = new double[len];
            for (int r = (int) ((long) k * n / tasks); r < (int) ((long) (k + 1) * n / tasks); r++) {
                int o = r * t + from;
                for (int p = 0; p < len; p++) col[p] = a[o + p];
                for (int p = 0; p < len; p++) {
                    double v = col[p];
                    if (v == 0) continue;
                    int go = p * len;
                    for (int q = p; q < len; q++) g[go + q] += v * col[q];
                }
            }
            part[k] = g;
        });
        double[] g = new double[len * len];
        for (double[] p : part) for (int i = 0; i < g.length; i++) g[i] += p[i];
        for (int p = 0; p < len; p++) for (int q = p + 1; q < len; q++) g[q * len + p] = g[p * len + q];
        return g;
    }

    /** out[r] += a_rᵀ · g · a_r for every row r of a[n × t] restricted to the columns [from, from + len). */
    private static void quadraticForms(float[] a, int n, int t, int from, int len, double[] g, double[] out, Parallel par) {
        int tasks = Math.min(GRAM_TASKS, n);
        par.forEach(tasks, k -> {
            double[] col = new double[len];
            for (int r = (int) ((long) k * n / tasks); r < (int) ((long) (k + 1) * n / tasks); r++) {
                int o = r * t + from;
                for (int p = 0; p < len; p++) col[p] = a[o + p];
                double s = 0;
                for (int p = 0; p < len; p++) {
                    double v = col[p];
                    if (v == 0) continue;
                    int go = p * len;
                    double inner = 0;
                    for (int q = 0; q < len; q++) inner += g[go + q] * col[q];
                    s += v * inner;
                }
                out[r] += s;
            }
        });
    }
}
