package dev.swan.format.mlx;

import java.util.Locale;
import java.util.Optional;

/**
 * MLX's quantization modes ({@code mx.quantize(..., mode=)}, {@code mlx_lm.convert --q-mode}): {@code affine}
 * (codes with a float scale and bias per group) and the floating-point microscaling modes, whose groups share
 * one 8-bit scale and no bias: {@code mxfp4} (E2M1 values, E8M0 power-of-two scales, groups of 32),
 * {@code nvfp4} (E2M1 values, E4M3 scales, groups of 16) and {@code mxfp8} (E4M3 values, E8M0 scales, groups of
 * 32). The floating-point modes follow MLX's Metal {@code fp_quantize} kernel, which mlx_lm.convert runs on
 * Apple silicon: in float32, the group's largest magnitude over the largest element (6 or 448) gives the
 * scale, encoded (E8M0: 2 to the rounded log2; E4M3: round to nearest even, saturating), each value times
 * the reciprocal of the decoded scale encoded in the element type. Codes are packed low nibble first
 * (mxfp4, nvfp4) or one byte each (mxfp8) into uint32 words; scales are stored as uint8.
 */
enum MlxMode {
    AFFINE(0, 0), MXFP4(4, 32), NVFP4(4, 16), MXFP8(8, 32);

    final int bits;
    final int group;

    MlxMode(int bits, int group) {
        this.bits = bits;
        this.group = group;
    }

    /** The name config.json and mlx_lm use. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<MlxMode> parse(String name) {
        for (MlxMode m : values()) if (m.id().equals(name)) return Optional.of(m);
        return Optional.empty();
    }

    boolean affine() {
        return this == AFFINE;
    }

    /** Bytes of one row of {@code cols} values: codes, then the row's scales. */
    long codeBytes(long cols) {
        return cols * bits / 8;
    }

    /**
     * Quantizes {@code cols} values of {@code x} from {@code xo}: codes into {@code codes[co..]} (packed as
     * stored), one scale byte per group into {@code scales[so..]}.
     */
    void quantizeRow(float[] x, int xo, int cols, byte[] codes, int co, byte[] scales, int so) {
        float maxElement = bits == 4 ? 6.0f : 448.0f;
        for (int g = 0; g < cols / group; g++) {
            int base = xo + g * group;
            float amax = 0;
            for (int j = 0; j < group; j++) amax = Math.max(amax, Math.abs(x[base + j]));
            float scaleDec = amax / maxElement;
            int s = group == 32 ? toE8m0(scaleDec) : toE4m3(scaleDec);
            scales[so + g] = (byte) s;
            float decoded = group == 32 ? fromE8m0(s) : fromE4m3(s);
            float enc = decoded == 0 ? 0.0f : 1.0f / decoded;
            for (int j = 0; j < group; j++) {
                int e = g * group + j;
                float v = x[base + j] * enc;
                if (bits == 8) {
                    codes[co + e] = (byte) toE4m3(v);
                } else {
                    int q = toE2m1(v);
                    int at = co + e / 2;
                    codes[at] = (byte) ((e % 2 == 0) ? q : (codes[at] & 0x0f) | (q << 4));
                }
            }
        }
    }

    /** The values a row's codes and scales stand for, as MLX dequantizes them. */
    void dequantizeRow(byte[] codes, int co, byte[] scales, int so, int cols, float[] out, int oo) {
        for (int e = 0; e < cols; e++) {
            int s = scales[so + e / group] & 0xff;
            float scale = group == 32 ? fromE8m0(s) : fromE4m3(s);
            float v;
            if (bits == 8) {
                v = fromE4m3(codes[co + e] & 0xff);
            } else {
                int b = codes[co + e / 2] & 0xff;
                v = fromE2m1(e % 2 == 0 ? b & 0x0f : b >>> 4);
            }
            out[oo + e] = scale * v;
        }
    }

    /** E8M0: 2^(round(log2 x)), exponent clamped to ±127 (biased 0..254); 0 and below encode the smallest. */
    static int toE8m0(float x) {
        if (Float.isNaN(x) || Float.isInfinite(x)) return 0xff;
        if (x < 0.0f) return 0;
        if (x == 0.0f) return 0; // log2 → −∞, clamped to −127
        float le = (float) (Math.log(x) / Math.log(2.0));
        long n = (long) (Math.signum(le) * Math.floor(Math.abs(le) + 0.5)); // metal::round: halves away from zero
        n = Math.max(-127, Math.min(127, n));
        return (int) (n + 127);
    }

    static float fromE8m0(int bits) {
        return Float.intBitsToFloat(bits == 0 ? 0x400000 : bits << 23);
    }

    /** E4M3 (no infinities, 448 the largest), round to nearest even, saturating, as MLX's fp8_e4m3 (PyTorch's). */
    static int toE4m3(float f) {
        int fBits = Float.floatToRawIntBits(f);
        int sign = fBits & 0x80000000;
        fBits ^= sign;
        int out;
        if (Integer.compareUnsigned(fBits, 543 << 21) >= 0) {
            out = 0x7e;
        } else if (Integer.compareUnsigned(fBits, 121 << 23) < 0) {
            int denormMask = 141 << 23;
            int sum = Float.floatToRawIntBits(Float.intBitsToFloat(fBits) + Float.intBitsToFloat(denormMask));
            out = (sum - denormMask) & 0xff;
        } else {
            int mantOdd = (fBits >>> 20) & 1;
            fBits += ((7 - 127) << 23) + 0x7ffff;
            fBits += mantOdd;
            out = (fBits >>> 20) & 0xff;
        }
        return out | (sign >>> 24);
    }

    static float fromE4m3(int bits) {
        int mag = bits & 0x7f;
        int exp = mag >>> 3;
        int man = mag & 7;
        float v = exp == 0 ? man * 0x1p-9f : (1 + man / 8.0f) * (float) Math.pow(2, exp - 7);
        return (bits & 0x80) != 0 ? -v : v;
    }

    /** E2M1 (0, 0.5, 1, 1.5, 2, 3, 4, 6), with MLX's thresholds: ties at 0.25, 1.25, 2.5 and 5 go down, the others up. */
    static int toE2m1(float x) {
        if (Float.isNaN(x)) return 0x7;
        int sign = (Float.floatToRawIntBits(x) < 0) ? 0x8 : 0x0;
        x = Math.abs(x);
        int b;
        if (x > 5.0f) b = 0x7;
        else if (x >= 3.5f) b = 0x6;
        else if (x > 2.5f) b = 0x5;
        else if (x >= 1.75f) b = 0x4;
        else if (x > 1.25f) b = 0x3;
        else if (x >= 0.75f) b = 0x2;
        else if (x > 0.25f) b = 0x1;
        else b = 0x0;
        return b | sign;
    }

    private static final float[] E2M1 = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

    static float fromE2m1(int bits) {
        float v = E2M1[bits & 7];
        return (bits & 8) != 0 ? -v : v;
    }
}
