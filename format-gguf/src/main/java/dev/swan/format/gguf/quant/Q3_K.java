package dev.swan.format.gguf.quant;

/**
 * Q3_K: {@code hmask[32], qs[64], scales[12], d:f16}; symmetric with signed 6-bit scales;
 * x = d·(sc − 32)·(q2 − (hbit ? 0 : 4)) (ggml's ggml-common.h and ggml-quants.c).
 */
public final class Q3_K implements BlockQuantizer {
    @Override
    public int blockSize() {
        return 256;
    }

    @Override
    public int blockBytes() {
        return 110;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        int[] l = new int[256];
        float[] scales = new float[16];
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = QuantMath.makeQ3Quants(16, 4, x, xo + 16 * j, l, 16 * j);
            float scale = Math.abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        int sc = oo + 96;
        for (int i = 0; i < 12; i++) out[sc + i] = 0;
        short d;
        if (maxScale != 0) {
            float iscale = -32.f / maxScale;
            for (int j = 0; j < 16; j++) {
                int lv = (byte) QuantMath.nearestInt(iscale * scales[j]);
                lv = Math.max(-32, Math.min(31, lv)) + 32;
                if (j < 8) out[sc + j] = (byte) (lv & 0xF);
                else out[sc + j - 8] |= (byte) ((lv & 0xF) << 4);
                lv >>= 4;
                out[sc + j % 4 + 8] |= (byte) (lv << (2 * (j / 4)));
            }
            d = QuantMath.fp16(1 / iscale);
        } else {
            d = QuantMath.fp16(0.f);
        }
        QuantMath.putF16(out, oo + 108, d);
        float df = QuantMath.fp32(d);
        for (int j = 0; j < 16; j++) {
            float dj = df * scale(out, oo, j);
            if (dj == 0) continue;
            for (int ii = 0; ii < 16; ii++) {
                int li = QuantMath.nearestInt(x[xo + 16 * j + ii] / dj);
                li = Math.max(-4, Math.min(3, li));
                l[16 * j + ii] = li + 4;
            }
        }
        for (int i = 0; i < 32; i++) out[oo + i] = 0;
        for (int j = 0; j < 256; j++) {
            if (l[j] > 3) {
                out[oo + j % 32] |= (byte) (1 << (j / 32));
                l[j] -= 4;
            }
        }
        QuantMath.pack2Bits(l, out, oo + 32);
    }

    /** The signed scale (−32..31) of sub-block j. */
    private static int scale(byte[] b, int oo, int j) {
        int sc = oo + 96;
        int low = j < 8 ? b[sc + j] & 0xF : (b[sc + j - 8] & 0xff) >> 4;
        int high = ((b[sc + 8 + j % 4] & 0xff) >> (2 * (j / 4))) & 3;
        return (low | (high << 4)) - 32;
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io + 108));
        for (int e = 0; e < 256; e++) {
            int q2 = QuantMath.get2Bits(in, io + 32, e);
            int hbit = ((in[io + e % 32] & 0xff) >> (e / 32)) & 1;
            out[oo + e] = d * scale(in, io, e / 16) * (q2 - (hbit != 0 ? 0 : 4));
        }
    }
}
