package dev.swan.format.gguf.quant;

import dev.swan.toolkit.tensor.HalfFloats;

/** The rounding rules and shared subroutines of ggml's reference quantizers (ggml's ggml-common.h and ggml-quants.c). */
final class QuantMath {
    static final float GROUP_MAX_EPS = 1e-15f;

    private QuantMath() {
    }

    /**
     * ggml's nearest_int, exactly as ggml computes it: adding 1.5·2²³ makes the FPU round to an integer (ties
     * to even) in the low mantissa bits, which are read back. Valid for |v| ≤ 4194303, ggml's own bound.
     */
    static int nearestInt(float v) {
        return (Float.floatToRawIntBits(v + 12582912.f) & 0x007fffff) - 0x00400000;
    }

    /** C roundf: half away from zero, for |v| < 2^23 (Q8_0 codes are within ±127); the subtraction is exact. */
    static int roundAway(float v) {
        float a = Math.abs(v);
        int r = (int) a;
        if (a - r >= 0.5f) r++;
        return v < 0 ? -r : r;
    }

    static short fp16(float f) {
        return HalfFloats.f32ToF16(f);
    }

    static float fp32(short h) {
        return HalfFloats.f16ToF32(h);
    }

    static void putF16(byte[] out, int at, short h) {
        out[at] = (byte) h;
        out[at + 1] = (byte) (h >>> 8);
    }

    static short getF16(byte[] in, int at) {
        return (short) ((in[at] & 0xff) | (in[at + 1] << 8));
    }

    /** The element of largest magnitude, with its sign (the first on ties; 0 for an all-zero run). */
    static float signedMaxAbs(float[] x, int xo, int n) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        return max;
    }

    /** H1: make_qx_quants with rmse_type 1 and no importance weights; L gets codes in [0, 2·nmax). */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] l, int lo) {
        float max = signedMaxAbs(x, xo, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * x[xo + i]);
            li = Math.max(-nmax, Math.min(nmax - 1, li));
            l[lo + i] = li + nmax;
            float w = x[xo + i] * x[xo + i];
            sumlx += w * x[xo + i] * li;
            suml2 += w * li * li;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                int li = nearestInt(iscale * x[xo + i]);
                li = Math.max(-nmax, Math.min(nmax - 1, li));
                float w = x[xo + i] * x[xo + i];
                sumlx += w * x[xo + i] * li;
                suml2 += w * li * li;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int li = nearestInt(iscale * x[xo + i]);
                    l[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, li));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /** H2: make_q3_quants with do_rmse; L gets codes in [0, 2·nmax). */
    static float makeQ3Quants(int n, int nmax, float[] x, int xo, int[] l, int lo) {
        float max = signedMaxAbs(x, xo, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * x[xo + i]);
            li = Math.max(-nmax, Math.min(nmax - 1, li));
            l[lo + i] = li;
            float w = x[xo + i] * x[xo + i];
            sumlx += w * x[xo + i] * li;
            suml2 += w * li * li;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * l[lo + i];
                if (slx > 0) {
                    float sl2 = suml2 - w * l[lo + i] * l[lo + i];
                    int nl = nearestInt(xi * sl2 / slx);
                    nl = Math.max(-nmax, Math.min(nmax - 1, nl));
                    if (nl != l[lo + i]) {
                        slx += w * xi * nl;
                        sl2 += w * nl * nl;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            l[lo + i] = nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) l[lo + i] += nmax;
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /** H3: make_qkx2_quants (asymmetric scale and min); returns the scale, {@code minOut[mo]} = −min ≥ 0. */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, int wo, int[] l, int lo, float[] minOut,
                                int mo, int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[wo];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float xi = x[xo + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[wo + i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            minOut[mo] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * (x[xo + i] - min));
            li = Math.max(0, Math.min(nmax, li));
            l[lo + i] = li;
            float diff = scale * li + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[wo + i] * diff;
        }
        if (nstep < 1) {
            minOut[mo] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXl = 0;
            for (int i = 0; i < n; i++) {
                int li = nearestInt(iscale * (x[xo + i] - min));
                li = Math.max(0, Math.min(nmax, li));
                laux[i] = li;
                float w = weights[wo + i];
                sumL += w * li;
                sumL2 += w * li * li;
                sumXl += w * li * x[xo + i];
            }
            float d = sumW * sumL2 - sumL * sumL;
            if (d > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / d;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / d;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[wo + i] * diff;
                }
                if (curError < bestError) {
                    for (int i = 0; i < n; i++) l[lo + i] = laux[i];
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[mo] = -min;
        return scale;
    }

    /** get_scale_min_k4: the j-th 6-bit scale and min from 12 packed bytes at {@code q[qo..]}. */
    static int scaleK4(int j, byte[] q, int qo) {
        if (j < 4) return q[qo + j] & 63;
        return (q[qo + j + 4] & 0xF) | (((q[qo + j - 4] & 0xff) >> 6) << 4);
    }

    static int minK4(int j, byte[] q, int qo) {
        if (j < 4) return q[qo + j + 4] & 63;
        return ((q[qo + j + 4] & 0xff) >> 4) | (((q[qo + j] & 0xff) >> 6) << 4);
    }

    /** H4: packs eight 6-bit scales and mins into 12 bytes (zeroed first). */
    static void packScaleMinK4(int[] ls, int[] lm, byte[] out, int oo) {
        for (int i = 0; i < 12; i++) out[oo + i] = 0;
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                out[oo + j] = (byte) ls[j];
                out[oo + j + 4] = (byte) lm[j];
            } else {
                out[oo + j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                out[oo + j - 4] |= (byte) ((ls[j] >> 4) << 6);
                out[oo + j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
    }

    /** H5: 256 two-bit codes into 64 bytes. */
    static void pack2Bits(int[] l, byte[] out, int oo) {
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 32; i++) {
                int b = 128 * h + i;
                out[oo + 32 * h + i] = (byte) (l[b] | (l[b + 32] << 2) | (l[b + 64] << 4) | (l[b + 96] << 6));
            }
        }
    }

    /** The two-bit code of element e (0..255) in an H5-packed area. */
    static int get2Bits(byte[] in, int io, int e) {
        int h = e / 128;
        int k = (e % 128) / 32;
        int i = e % 32;
        return ((in[io + 32 * h + i] & 0xff) >> (2 * k)) & 3;
    }
}
