package dev.swan.format.gguf.quant;

/** Q8_0: blocks of 32, {@code d:f16, qs[32]:int8}; x = q·d (ggml's ggml-common.h and ggml-quants.c). */
public final class Q8_0 implements BlockQuantizer {
    @Override
    public int blockSize() {
        return 32;
    }

    @Override
    public int blockBytes() {
        return 34;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        QuantMath.putF16(out, oo, QuantMath.fp16(d));
        for (int j = 0; j < 32; j++) out[oo + 2 + j] = (byte) QuantMath.roundAway(x[xo + j] * id);
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        for (int j = 0; j < 32; j++) out[oo + j] = in[io + 2 + j] * d;
    }
}
