package dev.swan.toolkit.tensor;

import dev.swan.api.tensor.DType;

/**
 * Exact conversions between float32 and the two 16-bit float formats. Narrowing rounds to nearest,
 * ties to even, with subnormals and overflow to infinity (IEEE 754), the rule MLX and ggml both use.
 * Java 17 has no {@code Float.floatToFloat16}, hence this class.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** Every float16 bit pattern widened to float32: widening is a table lookup. */
    private static final float[] F16_TO_F32 = buildF16Table();

    private static float[] buildF16Table() {
        float[] t = new float[65536];
        for (int h = 0; h < 65536; h++) t[h] = f16ToF32Slow(h);
        return t;
    }

    private static float f16ToF32Slow(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        int bits;
        if (exp == 0) {
            if (mant == 0) {
                bits = sign;
            } else { // subnormal: mant * 2^-24, exact in float32
                float v = mant * 0x1p-24f;
                return sign != 0 ? -v : v;
            }
        } else if (exp == 0x1f) {
            bits = sign | 0x7f800000 | (mant << 13);
        } else {
            bits = sign | ((exp + 112) << 23) | (mant << 13);
        }
        return Float.intBitsToFloat(bits);
    }

    /** float16 bits (low 16 bits of {@code h}) to float32, exact. */
    public static float f16ToF32(short h) {
        return F16_TO_F32[h & 0xffff];
    }

    /** float32 to float16 bits, round to nearest even; NaN becomes a quiet NaN (0x7E00 | sign | payload). */
    public static short f32ToF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7fffffff;
        if (abs >= 0x7f800000) {
            if (abs == 0x7f800000) return (short) (sign | 0x7c00);
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) return (short) (sign | 0x7c00); // >= 65520 rounds to infinity
        if (abs < 0x38800000) { // below 2^-14: half subnormal or zero
            if (abs < 0x33000000) return (short) sign; // <= 2^-25 rounds to zero (tie goes to even 0)
            int e = abs >>> 23;
            int m = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - e;
            int q = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (q & 1) != 0)) q++;
            return (short) (sign | q);
        }
        int h = (abs - 0x38000000) >>> 13;
        int rem = abs & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) h++;
        return (short) (sign | h);
    }

    /** bfloat16 bits to float32, exact. */
    public static float bf16ToF32(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** float32 to bfloat16 bits, round to nearest even; NaN stays NaN (forced quiet, as ggml does). */
    public static short f32ToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 0x40);
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }

    /** Rounds a float32 to the nearest value representable in {@code dtype} (F32: unchanged). */
    public static float roundTo(DType dtype, float f) {
        switch (dtype) {
            case F16: return f16ToF32(f32ToF16(f));
            case BF16: return bf16ToF32(f32ToBf16(f));
            default: return f;
        }
    }
}
