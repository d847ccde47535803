package dev.swan.format.gguf.quant;

/**
 * The shared body of Q4_K and Q5_K (ggml's ggml-common.h and ggml-quants.c): 8 sub-blocks of 32 fitted by make_qkx2_quants
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

    /**
     * Two super-blocks (16 sub-blocks) per fitter call: that fills sixteen AVX-512 lanes, or two rounds of
     * eight; the result is the same block by block.
     */
    @Override
    final void quantizeBlocks(float[] x, int xo, int blocks, byte[] out, int oo, SubBlockScratch scratch) {
        for (int b = 0; b < blocks; b += 2) {
            int fitted = Math.min(2, blocks - b);
            fitSubBlocks(x, xo + b * 256, fitted, scratch);
            for (int h = 0; h < fitted; h++) {
                int bo = oo + (b + h) * blockBytes();
                finishBlock(x, xo + (b + h) * 256, out, bo, scratch, h);
                pack(out, bo, scratch.l, 256 * h);
            }
        }
    }

    @Override
    final void quantize(float[] x, int xo, byte[] out, int oo, SubBlockScratch scratch) {
        quantizeBlocks(x, xo, 1, out, oo, scratch);
    }

    /** Writes the codes {@code l[lo..lo+255]} (0..nmax) into the block at {@code out[oo..]}. */
    abstract void pack(byte[] out, int oo, int[] l, int lo);

    /** make_qkx2_quants on the 8·blocks sub-blocks at {@code x[xo..]}, weights |x| + rms of the sub-block. */
    private void fitSubBlocks(float[] x, int xo, int blocks, SubBlockScratch scratch) {
        float[] weights = scratch.weights;
        for (int j = 0; j < 8 * blocks; j++) {
            float sumX2 = 0;
            for (int i = 0; i < 32; i++) sumX2 += x[xo + 32 * j + i] * x[xo + 32 * j + i];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int i = 0; i < 32; i++) weights[32 * j + i] = avX + Math.abs(x[xo + 32 * j + i]);
        }
        scratch.fitter.fit(8 * blocks, 32, nmax, x, xo, weights, scratch.scales, scratch.mins, scratch.l, rmin, 0.1f,
                nstep, false);
    }

    /**
     * Block {@code h} of the last fit (at {@code x[xo..]}): writes d, dmin and the 12 scale bytes at
     * {@code out[oo..]} and re-derives its codes in {@code scratch.l[256·h..]} from the stored scales.
     */
    private void finishBlock(float[] x, int xo, byte[] out, int oo, SubBlockScratch scratch, int h) {
        float[] mins = scratch.mins;
        float[] scales = scratch.scales;
        int[] l = scratch.l;
        int s0 = 8 * h;
        int l0 = 256 * h;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            if (scales[s0 + j] > maxScale) maxScale = scales[s0 + j];
            if (mins[s0 + j] > maxMin) maxMin = mins[s0 + j];
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        int[] ls = scratch.ls;
        int[] lm = scratch.lm;
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, QuantMath.nearestInt(invScale * scales[s0 + j]) & 0xff);
            lm[j] = Math.min(63, QuantMath.nearestInt(invMin * mins[s0 + j]) & 0xff);
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
                l[l0 + 32 * j + ii] = Math.max(0, Math.min(nmax, li));
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
