package dev.swan.format.gguf.quant;

/**
 * The per-sub-block scale searches that dominate the K-quants: make_qkx2_quants (Q2_K, Q4_K, Q5_K) and
 * make_qx_quants (Q6_K). Implementations give the reference's bits exactly. An instance keeps scratch arrays, so it
 * serves one thread at a time; {@link #create()} picks the fastest one this JVM can run.
 */
interface SubBlockFitter {

    /**
     * Fits sub-blocks {@code j = 0..count-1} of {@code n} elements at {@code x[xo + n·j + i]} with weights
     * {@code w[n·j + i]}: {@code scales[j]}, {@code mins[j]} (= −min ≥ 0) and codes {@code l[n·j + i]} in 0..nmax.
     */
    void fit(int count, int n, int nmax, float[] x, int xo, float[] w, float[] scales, float[] mins, int[] l,
             float rmin, float rdelta, int nstep, boolean useMad);

    /**
     * make_qx_quants with rmse_type 1 and no weights (ggml's ggml-common.h and ggml-quants.c) over sub-blocks
     * {@code j = 0..count-1} of {@code n} elements at {@code x[xo + n·j + i]}: {@code scales[j]} and codes
     * {@code l[n·j + i]} in 0..2·nmax−1.
     */
    void fitSymmetric(int count, int n, int nmax, float[] x, int xo, float[] scales, int[] l);

    /** Vector API lanes when the JVM has the module (and -Dswan.kernels=scalar is not set), else plain Java. */
    static SubBlockFitter create() {
        return SubBlockFitters.VECTOR ? new VectorSubBlockFitter() : new ScalarSubBlockFitter();
    }
}
