package dev.swan.format.mlx;

import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.HalfFloats;

/**
 * MLX's affine quantization, exactly as its CPU kernel computes it (mlx-format §1.2): float32 arithmetic,
 * the larger-magnitude edge of each group reproduced exactly (so the scale may be negative), {@code rint}
 * (half to even), the all-zero and constant-group cases, codes from the unrounded scale and bias, then
 * scale and bias rounded to the model dtype (round to nearest even).
 */
final class AffineQuantizer {
    private static final float EPS = 1e-7f;

    private AffineQuantizer() {
    }

    /**
     * Quantizes {@code count} groups of {@code group} values from {@code x[off..]}: codes into
     * {@code codes[off..]}, the stored (dtype-rounded) scale and bias of group g into
     * {@code scales[sOff + g]} / {@code biases[sOff + g]} as 16/32-bit patterns widened to float.
     */
    static void quantize(float[] x, int off, int group, int count, int bits, DType dtype, int[] codes,
                         float[] scales, float[] biases, int sOff) {
        float nb = (1 << bits) - 1;
        int top = (1 << bits) - 1;
        for (int g = 0; g < count; g++) {
            int base = off + g * group;
            float mn = Float.POSITIVE_INFINITY;
            float mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < group; i++) {
                float v = x[base + i];
                if (v < mn) mn = v;
                if (v > mx) mx = v;
            }
            boolean useMin = Math.abs(mn) > Math.abs(mx);
            float s = Math.max((mx - mn) / nb, EPS);
            if (!useMin) s = -s;
            float edge = useMin ? mn : mx;
            float q0 = (float) Math.rint(edge / s);
            float bias = 0f;
            if (q0 != 0f) {
                s = edge / q0;
                bias = edge;
            }
            for (int i = 0; i < group; i++) {
                int q = (int) rint((x[base + i] - bias) / s); // integral already: the cast is exact
                codes[base + i] = q < 0 ? 0 : q > top ? top : q;
            }
            scales[sOff + g] = HalfFloats.roundTo(dtype, s);
            biases[sOff + g] = HalfFloats.roundTo(dtype, bias);
        }
    }

    private static final float MAGIC = 12582912f; // 1.5 * 2^23

    /**
     * Round half to even in float arithmetic: adding 1.5·2²³ leaves no fraction bits, so the FPU rounds
     * (to even) and the subtraction is exact. Equals {@code Math.rint} for |v| < 2²², which always holds
     * here (|v| ≤ 2^bits), and keeps the loop in float so the JIT can vectorise it.
     */
    static float rint(float v) {
        return (v + MAGIC) - MAGIC;
    }

    /** ŵ = scale·q + bias, evaluated in float32 from the stored scale and bias. */
    static float dequantize(int q, float scale, float bias) {
        return scale * q + bias;
    }
}
