package dev.swan.format.gguf.quant;

/** Q5_1: blocks of 32, {@code d:f16, m:f16, qh[4], qs[16]}; x = q·d + m (ggml's ggml-common.h and ggml-quants.c). */
public final class Q5_1 implements BlockQuantizer {
    @Override
    public int blockSize() {
        return 32;
    }

    @Override
    public int blockBytes() {
        return 24;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / ((1 << 5) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        QuantMath.putF16(out, oo, QuantMath.fp16(d));
        QuantMath.putF16(out, oo + 2, QuantMath.fp16(min));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            float x0 = (x[xo + j] - min) * id;
            float x1 = (x[xo + 16 + j] - min) * id;
            int xi0 = ((int) (x0 + 0.5f)) & 0xff; // (uint8_t) cast, no clamp
            int xi1 = ((int) (x1 + 0.5f)) & 0xff;
            out[oo + 8 + j] = (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10) >> 4) << j;
            qh |= ((xi1 & 0x10) >> 4) << (j + 16);
        }
        for (int k = 0; k < 4; k++) out[oo + 4 + k] = (byte) (qh >>> (8 * k));
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        float m = QuantMath.fp32(QuantMath.getF16(in, io + 2));
        int qh = (in[io + 4] & 0xff) | (in[io + 5] & 0xff) << 8 | (in[io + 6] & 0xff) << 16 | (in[io + 7] & 0xff) << 24;
        for (int j = 0; j < 16; j++) {
            int b = in[io + 8 + j] & 0xff;
            int q0 = (b & 0xF) | (((qh >>> j) & 1) << 4);
            int q1 = (b >> 4) | (((qh >>> (j + 16)) & 1) << 4);
            out[oo + j] = q0 * d + m;
            out[oo + 16 + j] = q1 * d + m;
        }
    }
}
