package dev.swan.format.gguf.quant;

/**
 * The shared body of Q4_K and Q5_K (gguf-format §2.8–§2.9): 8 sub-blocks of 32 fitted by make_qkx2_quants
 * with weights |x| + rms, 6-bit scales and mins packed in 12 bytes, codes re-derived from the stored
 * f16 super-scales.
 */
abstract class KQuant45 extends SuperBlockQuantizer {
    private final int nmax;
    private final float rmin;
    private final int nstep;

    KQuant45(int nmax, float rmin, int nstep) {
        this.nmax = nmax;
        this.rmin = rmin;
        this.nstep = nstep;
    }

    /** Fills {@code scratch.l} with the final codes (0..nmax) and writes d, dmin and the 12 scale bytes at {@code out[oo..]}. */
    final void fit(float[] x, int xo, byte[] out, int oo, SubBlockScratch scratch) {
        float[] weights = scratch.weights;
        float[] mins = scratch.mins;
        float[] scales = scratch.scales;
        int[] l = scratch.l;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int i = 0; i < 32; i++) sumX2 += x[xo + 32 * j + i] * x[xo + 32 * j + i];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int i = 0; i < 32; i++) weights[32 * j + i] = avX + Math.abs(x[xo + 32 * j + i]);
        }
        scratch.fitter.fit(8, 32, nmax, x, xo, weights, scales, mins, l, rmin, 0.1f, nstep, false);
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        int[] ls = scratch.ls;
        int[] lm = scratch.lm;
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, QuantMath.nearestInt(invScale * scales[j]) & 0xff);
            lm[j] = Math.min(63, QuantMath.nearestInt(invMin * mins[j]) & 0xff);
        }
        QuantMath.packScaleMinK4(ls, lm, out, oo + 4);
        short d = QuantMath.fp16(maxScale / 63.f);
        short dmin = QuantMath.fp16(maxMin / 63.f);
        QuantMath.putF16(out, oo, d);
        QuantMath.putF16(out, oo + 2, dmin);
        float df = QuantMath.fp32(d);
        float dminf = QuantMath.fp32(dmin);
        for (int j = 0; j < 8; j++) {
            float dj = df * QuantMath.scaleK4(j, out, oo + 4);
            if (dj == 0) continue;
            float dm = dminf * QuantMath.minK4(j, out, oo + 4);
            for (int ii = 0; ii < 32; ii++) {
                int li = QuantMath.nearestInt((x[xo + 32 * j + ii] + dm) / dj);
                l[32 * j + ii] = Math.max(0, Math.min(nmax, li));
            }
        }
    }

    /** d·sc and dmin·m of sub-block j of the block at {@code in[io..]}. */
    static float[] subScales(byte[] in, int io, int j) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        float dmin = QuantMath.fp32(QuantMath.getF16(in, io + 2));
        return new float[] {d * QuantMath.scaleK4(j, in, io + 4), dmin * QuantMath.minK4(j, in, io + 4)};
    }
}
