package dev.swan.format.gguf.quant;

/**
 * MXFP4 (OCP microscaling): blocks of 32, {@code e:e8m0, qs[16]}; each value an E2M1 number (ggml keeps
 * them doubled: 0, ±1, ±2, ±3, ±4, ±6, ±8, ±12) times 2^(e − 128). The exponent is ⌊log2 amax⌋ − 2 and each
 * value the nearest level (the first on a tie), as ggml's {@code quantize_row_mxfp4_ref}; the first 16 values
 * go to the low nibbles, the next 16 to the high ones.
 */
public final class Mxfp4 implements BlockQuantizer {
    static final byte[] VALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    @Override
    public int blockSize() {
        return 32;
    }

    @Override
    public int blockBytes() {
        return 17;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        float amax = 0.0f;
        for (int j = 0; j < 32; j++) {
            float v = Math.abs(x[xo + j]);
            if (amax < v) amax = v;
        }
        int e = amax > 0.0f ? (int) ((float) Math.floor(log2f(amax)) - 2 + 127) & 0xff : 0;
        float d = e8m0Half(e);
        out[oo] = (byte) e;
        for (int j = 0; j < 16; j++) {
            int x0 = bestIndex(x[xo + j], d);
            int x1 = bestIndex(x[xo + 16 + j], d);
            out[oo + 1 + j] = (byte) (x0 | (x1 << 4));
        }
    }

    /** log2f, correctly rounded to float (the double result rounded once). */
    static float log2f(float v) {
        return (float) (Math.log(v) / Math.log(2.0));
    }

    private static int bestIndex(float x, float e) {
        int best = 0;
        float bestErr = Math.abs(VALUES[0] * e - x);
        for (int i = 1; i < 16; i++) {
            float err = Math.abs(VALUES[i] * e - x);
            if (err < bestErr) {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }

    /** 2^(x − 128): half the E8M0 scale, since the levels are doubled ({@code ggml_e8m0_to_fp32_half}). */
    static float e8m0Half(int x) {
        int bits = x < 2 ? 0x00200000 << x : (x - 1) << 23;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = e8m0Half(in[io] & 0xff);
        for (int j = 0; j < 16; j++) {
            int q = in[io + 1 + j] & 0xff;
            out[oo + j] = VALUES[q & 0x0f] * d;
            out[oo + j + 16] = VALUES[q >>> 4] * d;
        }
    }
}
