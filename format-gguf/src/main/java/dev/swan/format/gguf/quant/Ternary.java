package dev.swan.format.gguf.quant;

/**
 * ggml's ternary types, every value −d, 0 or +d with d the block's largest magnitude (f16), in super-blocks of
 * 256 ({@code quantize_row_tq1_0_ref}, {@code quantize_row_tq2_0_ref}). TQ2_0: 2 bits a value, {@code qs[64],
 * d}; TQ1_0: five trits a byte in base 3 scaled to 0..255 ({@code qs[48]}), then four a byte for the last 16
 * values ({@code qh[4]}), then d.
 */
public final class Ternary implements BlockQuantizer {
    /** TQ1_0: 1.6875 bits a value. */
    public static final Ternary TQ1_0 = new Ternary(true);
    /** TQ2_0: 2.0625 bits a value. */
    public static final Ternary TQ2_0 = new Ternary(false);

    private final boolean packed;

    private Ternary(boolean packed) {
        this.packed = packed;
    }

    @Override
    public int blockSize() {
        return 256;
    }

    @Override
    public int blockBytes() {
        return packed ? 54 : 66;
    }

    @Override
    public void quantize(float[] x, int xo, byte[] out, int oo) {
        float amax = 0.0f;
        for (int j = 0; j < 256; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax;
        float id = d != 0 ? 1.0f / d : 0.0f;
        if (!packed) {
            QuantMath.putF16(out, oo + 64, QuantMath.fp16(d));
            int p = xo;
            for (int j = 0; j < 64; j += 32) {
                for (int m = 0; m < 32; m++) {
                    int q = 0;
                    for (int n = 0; n < 4; n++) {
                        int xi = QuantMath.roundAway(x[p + m + n * 32] * id) + 1;
                        q += (xi & 3) << (2 * n);
                    }
                    out[oo + j + m] = (byte) q;
                }
                p += 128;
            }
            return;
        }
        QuantMath.putF16(out, oo + 52, QuantMath.fp16(d));
        int p = xo;
        for (int j = 0; j < 32; j += 32) { // 48 bytes: one run of 32, then one of 16
            for (int m = 0; m < 32; m++) out[oo + j + m] = (byte) trits(x, p + m, 32, 5, id, false);
            p += 5 * 32;
        }
        for (int j = 32; j < 48; j += 16) {
            for (int m = 0; m < 16; m++) out[oo + j + m] = (byte) trits(x, p + m, 16, 5, id, false);
            p += 5 * 16;
        }
        for (int j = 0; j < 4; j++) out[oo + 48 + j] = (byte) trits(x, p + j, 4, 4, id, true);
    }

    /**
     * {@code count} trits x[at], x[at + stride], ... as one base-3 number (first the most significant), shifted
     * to five trits, scaled to a byte by ceiling division: the uint8 arithmetic of ggml (wrapping at 256).
     */
    private static int trits(float[] x, int at, int stride, int count, float id, boolean shift) {
        int q = 0;
        for (int n = 0; n < count; n++) {
            int xi = QuantMath.roundAway(x[at + n * stride] * id) + 1;
            q = (q * 3 + xi) & 0xff;
        }
        if (shift) q = (q * 3) & 0xff;
        return (q * 256 + (243 - 1)) / 243;
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        if (!packed) {
            float d = QuantMath.fp32(QuantMath.getF16(in, io + 64));
            int y = oo;
            for (int j = 0; j < 64; j += 32) {
                for (int l = 0; l < 4; l++) {
                    for (int m = 0; m < 32; m++) out[y++] = (((in[io + j + m] >> (l * 2)) & 3) - 1) * d;
                }
            }
            return;
        }
        float d = QuantMath.fp32(QuantMath.getF16(in, io + 52));
        int[] pow3 = {1, 3, 9, 27, 81, 243};
        int y = oo;
        for (int n = 0; n < 5; n++) {
            for (int m = 0; m < 32; m++) out[y++] = trit(in[io + m], pow3[n]) * d;
        }
        for (int n = 0; n < 5; n++) {
            for (int m = 0; m < 16; m++) out[y++] = trit(in[io + 32 + m], pow3[n]) * d;
        }
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 4; j++) out[y++] = trit(in[io + 48 + j], pow3[n]) * d;
        }
    }

    private static float trit(byte b, int pow) {
        int q = ((b & 0xff) * pow) & 0xff;
        return (float) (((q * 3) >> 8) - 1);
    }
}
