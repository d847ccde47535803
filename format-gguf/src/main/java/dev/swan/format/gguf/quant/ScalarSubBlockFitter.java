package dev.swan.format.gguf.quant;

/** The reference loop, one sub-block after another. */
final class ScalarSubBlockFitter implements SubBlockFitter {
    private int[] laux = new int[32];

    @Override
    public void fit(int count, int n, int nmax, float[] x, int xo, float[] w, float[] scales, float[] mins, int[] l,
                    float rmin, float rdelta, int nstep, boolean useMad) {
        fitRange(0, count, n, nmax, x, xo, w, scales, mins, l, rmin, rdelta, nstep, useMad);
    }

    /** {@link #fit} for sub-blocks {@code from .. from+count-1} only (the vector fitter's fallback). */
    void fitRange(int from, int count, int n, int nmax, float[] x, int xo, float[] w, float[] scales, float[] mins,
                  int[] l, float rmin, float rdelta, int nstep, boolean useMad) {
        if (laux.length < n) laux = new int[n];
        for (int j = from; j < from + count; j++) {
            scales[j] = QuantMath.makeQkx2Quants(n, nmax, x, xo + n * j, w, n * j, l, n * j, mins, j, laux, rmin, rdelta,
                    nstep, useMad);
        }
    }

    @Override
    public void fitSymmetric(int count, int n, int nmax, float[] x, int xo, float[] scales, int[] l) {
        for (int j = 0; j < count; j++) scales[j] = QuantMath.makeQxQuants(n, nmax, x, xo + n * j, l, n * j);
    }
}
