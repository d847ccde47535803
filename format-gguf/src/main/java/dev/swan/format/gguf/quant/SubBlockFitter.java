package dev.swan.format.gguf.quant;

/**
 * make_qkx2_quants (gguf-format §2.6, H3) over a run of sub-blocks: the search that dominates Q2_K, Q4_K
 * and Q5_K. Implementations give the reference's bits exactly. An instance keeps scratch arrays, so it
 * serves one thread at a time; {@link #create()} picks the fastest one this JVM can run.
 */
interface SubBlockFitter {

    /**
     * Fits sub-blocks {@code j = 0..count-1} of {@code n} elements at {@code x[xo + n·j + i]} with weights
     * {@code w[n·j + i]}: {@code scales[j]}, {@code mins[j]} (= −min ≥ 0) and codes {@code l[n·j + i]} in 0..nmax.
     */
    void fit(int count, int n, int nmax, float[] x, int xo, float[] w, float[] scales, float[] mins, int[] l,
             float rmin, float rdelta, int nstep, boolean useMad);

    /** Vector API lanes when the JVM has the module (and -Dswan.kernels=scalar is not set), else plain Java. */
    static SubBlockFitter create() {
        return SubBlockFitters.VECTOR ? new VectorSubBlockFitter() : new ScalarSubBlockFitter();
    }
}
