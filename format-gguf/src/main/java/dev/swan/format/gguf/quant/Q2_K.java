package dev.swan.format.gguf.quant;

/**
 * Q2_K: {@code scales[16], qs[64], d:f16, dmin:f16}; 4-bit scale and min nibbles per sub-block of 16;
 * x = d·(sc&15)·q − dmin·(sc>>4) (ggml's ggml-common.h and ggml-quants.c).
 */
public final class Q2_K extends SuperBlockQuantizer {
    @Override
    public int blockBytes() {
        return 84;
    }

    @Override
    void quantize(float[] x, int xo, byte[] out, int oo, SubBlockScratch scratch) {
        int[] l = scratch.l;
        float[] weights = scratch.weights;
        float[] mins = scratch.mins;
        float[] scales = scratch.scales;
        float q4scale = 15.f;
        for (int i = 0; i < 256; i++) weights[i] = Math.abs(x[xo + i]);
        scratch.fitter.fit(16, 16, 3, x, xo, weights, scales, mins, l, -0.5f, 0.1f, 15, true);
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 16; j++) {
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        short d;
        short dmin;
        if (maxScale > 0) {
            float iscale = q4scale / maxScale;
            for (int j = 0; j < 16; j++) out[oo + j] = (byte) QuantMath.nearestInt(iscale * scales[j]);
            d = QuantMath.fp16(maxScale / q4scale);
        } else {
            for (int j = 0; j < 16; j++) out[oo + j] = 0;
            d = QuantMath.fp16(0.f);
        }
        if (maxMin > 0) {
            float iscale = q4scale / maxMin;
            for (int j = 0; j < 16; j++) out[oo + j] |= (byte) (QuantMath.nearestInt(iscale * mins[j]) << 4);
            dmin = QuantMath.fp16(maxMin / q4scale);
        } else {
            dmin = QuantMath.fp16(0.f);
        }
        QuantMath.putF16(out, oo + 80, d);
        QuantMath.putF16(out, oo + 82, dmin);
        float df = QuantMath.fp32(d);
        float dminf = QuantMath.fp32(dmin);
        for (int j = 0; j < 16; j++) {
            int s = out[oo + j] & 0xff;
            float dj = df * (s & 0xF);
            if (dj == 0) continue;
            float dm = dminf * (s >> 4);
            for (int ii = 0; ii < 16; ii++) {
                int li = QuantMath.nearestInt((x[xo + 16 * j + ii] + dm) / dj);
                l[16 * j + ii] = Math.max(0, Math.min(3, li));
            }
        }
        QuantMath.pack2Bits(l, out, oo + 16);
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io + 80));
        float dmin = QuantMath.fp32(QuantMath.getF16(in, io + 82));
        for (int e = 0; e < 256; e++) {
            int s = in[io + e / 16] & 0xff;
            out[oo + e] = d * (s & 0xF) * QuantMath.get2Bits(in, io + 16, e) - dmin * (s >> 4);
        }
    }
}
