package dev.swan.format.gguf.quant;

/** Q4_0: blocks of 32, {@code d:f16, qs[16]}; symmetric, x = (q − 8)·d (ggml's ggml-common.h and ggml-quants.c). */
public final class Q4_0 implements BlockQuantizer {
    @Override
    public int blockSize() {
        return 32;
    }

    @Override
    public int blockBytes() {
        return 18;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        float max = QuantMath.signedMaxAbs(x, xo, 32);
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        QuantMath.putF16(out, oo, QuantMath.fp16(d));
        for (int j = 0; j < 16; j++) {
            float x0 = x[xo + j] * id;
            float x1 = x[xo + 16 + j] * id;
            int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
            int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
            out[oo + 2 + j] = (byte) (xi0 | (xi1 << 4));
        }
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        for (int j = 0; j < 16; j++) {
            int b = in[io + 2 + j] & 0xff;
            out[oo + j] = ((b & 0xF) - 8) * d;
            out[oo + 16 + j] = ((b >> 4) - 8) * d;
        }
    }
}
