package dev.swan.format.gguf.quant;

/** Q5_0: blocks of 32, {@code d:f16, qh[4], qs[16]}; x = (q − 16)·d (ggml's ggml-common.h and ggml-quants.c). */
public final class Q5_0 implements BlockQuantizer {
    @Override
    public int blockSize() {
        return 32;
    }

    @Override
    public int blockBytes() {
        return 22;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        float max = QuantMath.signedMaxAbs(x, xo, 32);
        float d = max / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        QuantMath.putF16(out, oo, QuantMath.fp16(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            float x0 = x[xo + j] * id;
            float x1 = x[xo + 16 + j] * id;
            int xi0 = Math.min(31, (byte) (int) (x0 + 16.5f));
            int xi1 = Math.min(31, (byte) (int) (x1 + 16.5f));
            out[oo + 6 + j] = (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10) >> 4) << j;
            qh |= ((xi1 & 0x10) >> 4) << (j + 16);
        }
        for (int k = 0; k < 4; k++) out[oo + 2 + k] = (byte) (qh >>> (8 * k));
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        int qh = (in[io + 2] & 0xff) | (in[io + 3] & 0xff) << 8 | (in[io + 4] & 0xff) << 16 | (in[io + 5] & 0xff) << 24;
        for (int j = 0; j < 16; j++) {
            int b = in[io + 6 + j] & 0xff;
            int q0 = (b & 0xF) | (((qh >>> j) & 1) << 4);
            int q1 = (b >> 4) | (((qh >>> (j + 16)) & 1) << 4);
            out[oo + j] = (q0 - 16) * d;
            out[oo + 16 + j] = (q1 - 16) * d;
        }
    }
}
