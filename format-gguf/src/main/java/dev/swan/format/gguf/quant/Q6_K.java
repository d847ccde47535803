package dev.swan.format.gguf.quant;

/**
 * Q6_K: super-blocks of 256 = 16 × 16, {@code ql[128], qh[64], scales[16]:int8, d:f16};
 * x = d·scale·(q − 32) (ggml's ggml-common.h and ggml-quants.c).
 */
public final class Q6_K extends SuperBlockQuantizer {
    @Override
    public int blockBytes() {
        return 210;
    }

    @Override
    void quantize(float[] x, int xo, byte[] out, int oo, SubBlockScratch scratch) {
        int[] l = scratch.l;
        float[] scales = scratch.scales;
        scratch.fitter.fitSymmetric(16, 16, 32, x, xo, scales, l);
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = scales[ib];
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        java.util.Arrays.fill(out, oo, oo + 210, (byte) 0);
        if (maxAbsScale < QuantMath.GROUP_MAX_EPS) {
            QuantMath.putF16(out, oo + 208, QuantMath.fp16(0f));
            return;
        }
        float iscale = -128.f / maxScale;
        short d = QuantMath.fp16(1 / iscale);
        QuantMath.putF16(out, oo + 208, d);
        byte[] sc = new byte[16];
        for (int ib = 0; ib < 16; ib++) {
            sc[ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * scales[ib]));
            out[oo + 192 + ib] = sc[ib];
        }
        float df = QuantMath.fp32(d);
        for (int j = 0; j < 16; j++) {
            float dj = df * sc[j];
            if (dj == 0) continue;
            for (int ii = 0; ii < 16; ii++) {
                int li = QuantMath.nearestInt(x[xo + 16 * j + ii] / dj);
                li = Math.max(-32, Math.min(31, li));
                l[16 * j + ii] = li + 32;
            }
        }
        for (int h = 0; h < 2; h++) {
            int ql = oo + 64 * h;
            int qh = oo + 128 + 32 * h;
            int j = 128 * h;
            for (int i = 0; i < 32; i++) {
                int q1 = l[j + i] & 0xF;
                int q2 = l[j + i + 32] & 0xF;
                int q3 = l[j + i + 64] & 0xF;
                int q4 = l[j + i + 96] & 0xF;
                out[ql + i] = (byte) (q1 | (q3 << 4));
                out[ql + i + 32] = (byte) (q2 | (q4 << 4));
                out[qh + i] = (byte) ((l[j + i] >> 4) | ((l[j + i + 32] >> 4) << 2) | ((l[j + i + 64] >> 4) << 4)
                        | ((l[j + i + 96] >> 4) << 6));
            }
        }
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io + 208));
        for (int h = 0; h < 2; h++) {
            int ql = io + 64 * h;
            int qh = io + 128 + 32 * h;
            for (int i = 0; i < 32; i++) {
                int hb = in[qh + i] & 0xff;
                int[] q = {
                    ((in[ql + i] & 0xF) | ((hb & 3) << 4)) - 32,
                    ((in[ql + i + 32] & 0xF) | (((hb >> 2) & 3) << 4)) - 32,
                    (((in[ql + i] & 0xff) >> 4) | (((hb >> 4) & 3) << 4)) - 32,
                    (((in[ql + i + 32] & 0xff) >> 4) | (((hb >> 6) & 3) << 4)) - 32};
                for (int k = 0; k < 4; k++) {
                    int e = 128 * h + 32 * k + i;
                    out[oo + e] = d * in[io + 192 + e / 16] * q[k];
                }
            }
        }
    }
}
