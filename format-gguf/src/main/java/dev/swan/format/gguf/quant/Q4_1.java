package dev.swan.format.gguf.quant;

/** Q4_1: blocks of 32, {@code d:f16, m:f16, qs[16]}; x = q·d + m (ggml's ggml-common.h and ggml-quants.c). */
public final class Q4_1 implements BlockQuantizer {
    @Override
    public int blockSize() {
        return 32;
    }

    @Override
    public int blockBytes() {
        return 20;
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
        float d = (max - min) / ((1 << 4) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        QuantMath.putF16(out, oo, QuantMath.fp16(d));
        QuantMath.putF16(out, oo + 2, QuantMath.fp16(min));
        for (int j = 0; j < 16; j++) {
            float x0 = (x[xo + j] - min) * id;
            float x1 = (x[xo + 16 + j] - min) * id;
            int xi0 = Math.min(15, (byte) (int) (x0 + 0.5f));
            int xi1 = Math.min(15, (byte) (int) (x1 + 0.5f));
            out[oo + 4 + j] = (byte) (xi0 | (xi1 << 4));
        }
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        float m = QuantMath.fp32(QuantMath.getF16(in, io + 2));
        for (int j = 0; j < 16; j++) {
            int b = in[io + 4 + j] & 0xff;
            out[oo + j] = (b & 0xF) * d + m;
            out[oo + 16 + j] = (b >> 4) * d + m;
        }
    }
}
