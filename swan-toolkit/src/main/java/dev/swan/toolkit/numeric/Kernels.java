package dev.swan.toolkit.numeric;

import dev.swan.api.numeric.Parallel;

/**
 * The dense products behind the SVD and noise metrics. Two implementations exist: a Vector API one and
 * a plain-Java one; {@link MatMul} picks one at start-up. Work is split into tasks by fixed rules
 * (never by thread count) and each output element is accumulated in one fixed order, so results are
 * identical for any number of threads.
 */
public interface Kernels {

    String name();

    /** c[m×q] = a[m×n] · x[n×q]. */
    void multiply(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par);

    /** c[n×q] = aᵀ · x, with a[m×n] and x[m×q]. */
    default void multiplyTransposed(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        java.util.Arrays.fill(c, 0, n * q, 0f);
        multiplyTransposedAdd(a, m, n, x, q, c, par);
    }

    /**
     * c[n×q] += aᵀ · x: each element continues its sum in the same order, so adding the row blocks of a
     * matrix one after another gives exactly {@link #multiplyTransposed} of the whole.
     */
    void multiplyTransposedAdd(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par);

    /**
     * c[m×q] = a[m×n] · xtᵀ for a few columns (xt[q×n] is x transposed): dot products along the rows, for
     * products with too few columns to fill a vector (decoding one token at a time), on the calling thread.
     */
    void multiplyNarrow(float[] a, int m, int n, float[] xt, int q, float[] c);

    /** dst[off + i] = bfloat16 src[i] widened to float32 (its bits shifted up by 16), for i below n. */
    default void widenBf16(short[] src, int n, float[] dst, int off) {
        for (int i = 0; i < n; i++) dst[off + i] = Float.intBitsToFloat(src[i] << 16);
    }

    /** g[q×q] += yᵀ · y for y[rows×q] held in doubles. */
    void gramAccumulate(double[] y, int rows, int q, double[] g, Parallel par);
}
