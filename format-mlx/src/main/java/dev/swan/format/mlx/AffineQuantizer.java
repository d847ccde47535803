package dev.swan.format.mlx;

import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;

/**
 * MLX's affine quantization, exactly as its CPU kernel computes it (mlx's mlx/ops.cpp and its CPU quantize kernel): float32 arithmetic,
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

    /**
     * The same affine form with scale and bias searched per group (this project's rounding, data-free): MLX's
     * own choice, and ranges shrunk towards zero by 5 % steps to 75 %, each followed by two least-squares
     * refits of scale and bias to its codes; the candidate with the least squared error, evaluated with
     * scale and bias rounded to {@code dtype} as they are stored, wins. Files load in stock mlx_lm: only
     * the values of scales and biases differ.
     */
    static void quantizeSearched(float[] x, int off, int group, int count, int bits, DType dtype, int[] codes,
                                 float[] scales, float[] biases, int sOff) {
        int top = (1 << bits) - 1;
        int[] trial = new int[group];
        float[] one = new float[1];
        float[] oneBias = new float[1];
        for (int g = 0; g < count; g++) {
            int base = off + g * group;
            // MLX's own result first: the search only ever improves on it
            quantize(x, base, group, 1, bits, dtype, codes, scales, biases, sOff + g);
            System.arraycopy(codes, base, trial, 0, group);
            double best = error(x, base, group, trial, scales[sOff + g], biases[sOff + g]);
            float mn = Float.POSITIVE_INFINITY;
            float mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < group; i++) {
                mn = Math.min(mn, x[base + i]);
                mx = Math.max(mx, x[base + i]);
            }
            if (!(mx > mn)) continue;
            for (int step = 0; step <= 5; step++) {
                float f = 1f - 0.05f * step;
                float lo = mn * f;
                float s = (mx * f - lo) / top;
                if (!(s > 0)) continue;
                float b = lo;
                for (int refit = 0; refit < 3; refit++) {
                    for (int i = 0; i < group; i++) {
                        int q = (int) rint((x[base + i] - b) / s);
                        trial[i] = q < 0 ? 0 : q > top ? top : q;
                    }
                    if (refit == 2) break;
                    if (!leastSquares(x, base, group, trial, one, oneBias)) break;
                    s = HalfFloats.roundTo(dtype, one[0]);
                    b = HalfFloats.roundTo(dtype, oneBias[0]);
                    if (!(Math.abs(s) > 0) || !Float.isFinite(s) || !Float.isFinite(b)) break;
                }
                float ss = HalfFloats.roundTo(dtype, s);
                float bb = HalfFloats.roundTo(dtype, b);
                if (!(Math.abs(ss) > 0) || !Float.isFinite(ss) || !Float.isFinite(bb)) continue;
                double e = error(x, base, group, trial, ss, bb);
                if (e < best) {
                    best = e;
                    System.arraycopy(trial, 0, codes, base, group);
                    scales[sOff + g] = ss;
                    biases[sOff + g] = bb;
                }
            }
        }
    }

    /** Scale and bias minimising Σ (s·q + b − x)² for fixed codes; false when the codes are all equal. */
    private static boolean leastSquares(float[] x, int base, int n, int[] q, float[] s, float[] b) {
        double sq = 0, sqq = 0, sx = 0, sqx = 0;
        for (int i = 0; i < n; i++) {
            sq += q[i];
            sqq += (double) q[i] * q[i];
            sx += x[base + i];
            sqx += (double) q[i] * x[base + i];
        }
        double det = n * sqq - sq * sq;
        if (!(det > 0)) return false;
        s[0] = (float) ((n * sqx - sq * sx) / det);
        b[0] = (float) ((sx - s[0] * sq) / n);
        return true;
    }

    private static double error(float[] x, int base, int n, int[] q, float s, float b) {
        double e = 0;
        for (int i = 0; i < n; i++) {
            double d = dequantize(q[i], s, b) - x[base + i];
            e += d * d;
        }
        return e;
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
