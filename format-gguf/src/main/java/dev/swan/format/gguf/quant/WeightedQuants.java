package dev.swan.format.gguf.quant;

/**
 * ggml's importance-weighted quantizers ({@code quantize_row_*_impl} with {@code quant_weights}, what
 * llama-quantize runs with an importance matrix), byte-exact: float32 arithmetic in ggml's order. The
 * weights are one value per column of the row (an imatrix entry: the mean square of that input over the
 * calibration tokens); data-free use passes ones. Q8_0 and the float types have no weighted path.
 */
public final class WeightedQuants {
    private WeightedQuants() {
    }

    /** Whether {@code type} (a ggml type name) has a weighted path. */
    public static boolean supports(String type) {
        switch (type) {
            case "Q4_0": case "Q4_1": case "Q5_0": case "Q5_1": case "Q2_K": case "Q3_K": case "Q4_K": case "Q5_K": case "Q6_K":
            case "IQ4_NL": case "IQ4_XS": case "MXFP4": case "TQ1_0": case "TQ2_0":
            case "IQ2_XXS": case "IQ2_XS": case "IQ2_S": case "IQ3_XXS": case "IQ3_S": case "IQ1_S": case "IQ1_M":
                return true;
            default:
                return false;
        }
    }

    /** Quantizes row {@code x[xo..xo+n)} with per-column weights {@code qw[qo..qo+n)} into {@code out[oo..]}. */
    public static void quantizeRow(String type, float[] x, int xo, int n, float[] qw, int qo, byte[] out, int oo) {
        switch (type) {
            case "Q4_0": legacy(x, xo, n, qw, qo, out, oo, 8, false, false, 18); break;
            case "Q5_0": legacy(x, xo, n, qw, qo, out, oo, 16, false, true, 22); break;
            case "Q4_1": legacy(x, xo, n, qw, qo, out, oo, 15, true, false, 20); break;
            case "Q5_1": legacy(x, xo, n, qw, qo, out, oo, 31, true, true, 24); break;
            case "Q2_K": for (int b = 0; b < n / 256; b++) q2K(x, xo + 256 * b, qw, qo + 256 * b, out, oo + 84 * b); break;
            case "Q3_K": for (int b = 0; b < n / 256; b++) q3K(x, xo + 256 * b, qw, qo + 256 * b, out, oo + 110 * b); break;
            case "Q4_K": q45KRow(x, xo, n, qw, qo, out, oo, 15, 144); break;
            case "Q5_K": q45KRow(x, xo, n, qw, qo, out, oo, 31, 176); break;
            case "Q6_K": for (int b = 0; b < n / 256; b++) q6K(x, xo + 256 * b, qw, qo + 256 * b, out, oo + 210 * b); break;
            case "IQ4_NL": for (int b = 0; b < n / 32; b++) Iq4.NL.quantize(x, xo + 32 * b, qw, qo + 32 * b, out, oo + 18 * b); break;
            case "IQ4_XS": for (int b = 0; b < n / 256; b++) Iq4.XS.quantize(x, xo + 256 * b, qw, qo + 256 * b, out, oo + 136 * b); break;
            case "IQ2_XXS": superBlocks(Iq2.XXS, x, xo, n, qw, qo, out, oo); break;
            case "IQ2_XS": superBlocks(Iq2.XS, x, xo, n, qw, qo, out, oo); break;
            case "IQ2_S": superBlocks(Iq2.S, x, xo, n, qw, qo, out, oo); break;
            case "IQ3_XXS": superBlocks(Iq3.XXS, x, xo, n, qw, qo, out, oo); break;
            case "IQ3_S": superBlocks(Iq3.S, x, xo, n, qw, qo, out, oo); break;
            case "IQ1_S": superBlocks(Iq1.S, x, xo, n, qw, qo, out, oo); break;
            case "IQ1_M": superBlocks(Iq1.M, x, xo, n, qw, qo, out, oo); break;
            // ggml's MXFP4 and ternary quantizers take no importance
            case "MXFP4": new Mxfp4().quantizeRow(x, xo, n, out, oo); break;
            case "TQ1_0": Ternary.TQ1_0.quantizeRow(x, xo, n, out, oo); break;
            case "TQ2_0": Ternary.TQ2_0.quantizeRow(x, xo, n, out, oo); break;
            default: throw new IllegalArgumentException(type + " has no importance-weighted quantizer");
        }
    }

    /** The grid i-quants, super-block by super-block with their importance slice. */
    private static void superBlocks(ImportanceQuantizer q, float[] x, int xo, int n, float[] qw, int qo, byte[] out, int oo) {
        for (int b = 0; b < n / 256; b++) q.quantize(x, xo + 256 * b, qw, qo + 256 * b, out, oo + q.blockBytes() * b);
    }

    /** Q4_0 / Q5_0 (symmetric, make_qx_quants) and Q4_1 / Q5_1 (with a minimum, make_qkx3_quants); σ² over the row. */
    private static void legacy(float[] x, int xo, int n, float[] qw, int qo, byte[] out, int oo, int nmax, boolean withMin,
                               boolean fifthBit, int blockBytes) {
        float sumX2 = 0;
        for (int j = 0; j < n; j++) sumX2 += x[xo + j] * x[xo + j];
        float sigma2 = sumX2 / n;
        float[] w = new float[32];
        int[] l = new int[32];
        int[] aux = new int[32];
        float[] min = new float[1];
        for (int ib = 0; ib < n / 32; ib++) {
            int xb = xo + 32 * ib;
            for (int j = 0; j < 32; j++) w[j] = qw[qo + 32 * ib + j] * sqrt(sigma2 + x[xb + j] * x[xb + j]);
            int o = oo + blockBytes * ib;
            float d = withMin ? QuantMath.makeQkx2Quants(32, nmax, x, xb, w, 0, l, 0, min, 0, aux, -0.9f, 0.05f, 36, false)
                    : makeQxQuantsWeighted(32, nmax, x, xb, l, 0, w, 0);
            QuantMath.putF16(out, o, QuantMath.fp16(d));
            int qs = o + 2;
            if (withMin) {
                QuantMath.putF16(out, o + 2, QuantMath.fp16(-min[0]));
                qs += 2;
            }
            if (fifthBit) {
                int qh = 0;
                for (int j = 0; j < 16; j++) {
                    qh |= ((l[j] & 0x10) >> 4) << j;
                    qh |= ((l[j + 16] & 0x10) >> 4) << (j + 16);
                }
                for (int k = 0; k < 4; k++) out[qs + k] = (byte) (qh >>> (8 * k));
                qs += 4;
            }
            for (int j = 0; j < 16; j++) out[qs + j] = (byte) ((l[j] & 0x0F) | ((l[j + 16] & 0x0F) << 4));
        }
    }

    /** quantize_row_q2_K_impl: sub-blocks of 16, 2-bit codes with 4-bit scales and mins. */
    private static void q2K(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        int[] l = new int[256];
        int[] aux = new int[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] sw = new float[16];
        float[] w = new float[16];
        int[] ls = new int[16];
        int[] lm = new int[16];
        float[] min = new float[1];
        float sumX2 = 0;
        for (int j = 0; j < 256; j++) sumX2 += x[xo + j] * x[xo + j];
        float sigma2 = sumX2 / 256;
        for (int j = 0; j < 16; j++) {
            for (int k = 0; k < 16; k++) w[k] = qw[qo + 16 * j + k] * sqrt(sigma2 + x[xo + 16 * j + k] * x[xo + 16 * j + k]);
            for (int k = 0; k < 16; k++) sw[j] += w[k];
            scales[j] = QuantMath.makeQkx2Quants(16, 3, x, xo + 16 * j, w, 0, l, 16 * j, min, 0, aux, -0.9f, 0.05f, 36, false);
            mins[j] = min[0];
        }
        float dm = makeQpQuants(16, 15, scales, ls, sw, 0);
        float mm = makeQpQuants(16, 15, mins, lm, sw, 0);
        QuantMath.putF16(out, oo + 80, QuantMath.fp16(dm));
        QuantMath.putF16(out, oo + 82, QuantMath.fp16(mm));
        dm = QuantMath.fp32(QuantMath.getF16(out, oo + 80));
        mm = QuantMath.fp32(QuantMath.getF16(out, oo + 82));
        for (int j = 0; j < 16; j++) out[oo + j] = (byte) (ls[j] | (lm[j] << 4));
        for (int j = 0; j < 16; j++) {
            int sc = out[oo + j] & 0xff;
            float d = dm * (sc & 0xF);
            if (d == 0) continue;
            float m = mm * (sc >> 4);
            for (int ii = 0; ii < 16; ii++) {
                int q = QuantMath.nearestInt((x[xo + 16 * j + ii] + m) / d);
                l[16 * j + ii] = Math.max(0, Math.min(3, q));
            }
        }
        QuantMath.pack2Bits(l, out, oo + 16);
    }

    /** quantize_row_q3_K_impl: sub-blocks of 16, 3-bit codes (high bit in hmask) with 6-bit signed scales. */
    private static void q3K(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        int[] l = new int[256];
        float[] scales = new float[16];
        float[] w = new float[16];
        float[] sw = new float[16];
        int[] ls = new int[16];
        float sumX2 = 0;
        for (int j = 0; j < 256; j++) sumX2 += x[xo + j] * x[xo + j];
        float sigma2 = 2 * sumX2 / 256;
        for (int j = 0; j < 16; j++) {
            for (int k = 0; k < 16; k++) w[k] = qw[qo + 16 * j + k] * sqrt(sigma2 + x[xo + 16 * j + k] * x[xo + 16 * j + k]);
            float sumw = 0;
            for (int k = 0; k < 16; k++) sumw += w[k];
            sw[j] = sumw;
            scales[j] = makeQxQuantsWeighted(16, 4, x, xo + 16 * j, l, 16 * j, w, 0);
        }
        int[] sc12 = new int[12];
        float dBlock = makeQxQuantsWeighted(16, 32, scales, 0, ls, 0, sw, 0);
        for (int j = 0; j < 16; j++) {
            int v = ls[j];
            if (j < 8) sc12[j] = v & 0xF;
            else sc12[j - 8] |= (v & 0xF) << 4;
            v >>= 4;
            sc12[j % 4 + 8] |= v << (2 * (j / 4));
        }
        for (int j = 0; j < 12; j++) out[oo + 96 + j] = (byte) sc12[j];
        QuantMath.putF16(out, oo + 108, QuantMath.fp16(dBlock));
        float d0 = QuantMath.fp32(QuantMath.getF16(out, oo + 108));
        for (int j = 0; j < 16; j++) {
            int sc = j < 8 ? sc12[j] & 0xF : (sc12[j - 8] & 0xff) >> 4;
            sc = (byte) ((sc | (((sc12[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32);
            float d = d0 * sc;
            if (d == 0) continue;
            for (int ii = 0; ii < 16; ii++) {
                int q = QuantMath.nearestInt(x[xo + 16 * j + ii] / d);
                l[16 * j + ii] = Math.max(-4, Math.min(3, q)) + 4;
            }
        }
        for (int i = 0; i < 32; i++) out[oo + i] = 0;
        int m = 0;
        int hm = 1;
        for (int j = 0; j < 256; j++) {
            if (l[j] > 3) {
                out[oo + m] |= (byte) hm;
                l[j] -= 4;
            }
            if (++m == 32) {
                m = 0;
                hm <<= 1;
            }
        }
        QuantMath.pack2Bits(l, out, oo + 32);
    }

    /**
     * quantize_row_q4_K_impl / quantize_row_q5_K_impl ({@code nmax} 15 / 31): sub-blocks of 32, 6-bit scales and
     * mins. The sub-blocks' make_qkx3_quants (with weights and squared error it is make_qkx2_quants' arithmetic)
     * run on the {@link SubBlockFitter}, two super-blocks per call to fill the vector lanes; the bits are the same.
     */
    private static void q45KRow(float[] x, int xo, int n, float[] qw, int qo, byte[] out, int oo, int nmax, int blockBytes) {
        SubBlockScratch s = new SubBlockScratch();
        float[] sw = new float[16];
        int blocks = n / 256;
        for (int b = 0; b < blocks; b += 2) {
            int fitted = Math.min(2, blocks - b);
            for (int h = 0; h < fitted; h++) {
                int xb = xo + 256 * (b + h);
                int qb = qo + 256 * (b + h);
                float sumX2 = 0;
                for (int j = 0; j < 256; j++) sumX2 += x[xb + j] * x[xb + j];
                float sigma2 = 2 * sumX2 / 256;
                for (int j = 0; j < 8; j++) {
                    int wo = 256 * h + 32 * j;
                    for (int k = 0; k < 32; k++) s.weights[wo + k] = qw[qb + 32 * j + k] * sqrt(sigma2 + x[xb + 32 * j + k] * x[xb + 32 * j + k]);
                    float sumw = 0;
                    for (int k = 0; k < 32; k++) sumw += s.weights[wo + k];
                    sw[8 * h + j] = sumw;
                }
            }
            s.fitter.fit(8 * fitted, 32, nmax, x, xo + 256 * b, s.weights, s.scales, s.mins, s.l, -0.9f, 0.05f, 36, false);
            for (int h = 0; h < fitted; h++) {
                q45KFinish(x, xo + 256 * (b + h), out, oo + blockBytes * (b + h), nmax, s, h, sw);
            }
        }
    }

    /** The rest of quantize_row_q4/5_K_impl for super-block {@code h} of the last fit: scales, codes, packing. */
    private static void q45KFinish(float[] x, int xo, byte[] out, int oo, int nmax, SubBlockScratch s, int h, float[] sw) {
        int[] l = s.l;
        int l0 = 256 * h;
        int[] ls = s.ls;
        int[] lm = s.lm;
        float dBlock = makeQpQuants(8, 63, s.scales, ls, sw, 8 * h);
        float mBlock = makeQpQuants(8, 63, s.mins, lm, sw, 8 * h);
        if (nmax == 31) {
            for (int j = 0; j < 8; j++) {
                ls[j] = Math.min(63, ls[j]);
                lm[j] = Math.min(63, lm[j]);
            }
        }
        QuantMath.packScaleMinK4(ls, lm, out, oo + 4);
        QuantMath.putF16(out, oo, QuantMath.fp16(dBlock));
        QuantMath.putF16(out, oo + 2, QuantMath.fp16(mBlock));
        float d0 = QuantMath.fp32(QuantMath.getF16(out, oo));
        float m0 = QuantMath.fp32(QuantMath.getF16(out, oo + 2));
        for (int j = 0; j < 8; j++) {
            float d = d0 * QuantMath.scaleK4(j, out, oo + 4);
            if (d == 0) continue;
            float dm = m0 * QuantMath.minK4(j, out, oo + 4);
            for (int ii = 0; ii < 32; ii++) {
                int q = QuantMath.nearestInt((x[xo + 32 * j + ii] + dm) / d);
                l[l0 + 32 * j + ii] = Math.max(0, Math.min(nmax, q));
            }
        }
        if (nmax == 15) {
            int q = oo + 16;
            for (int j = 0; j < 256; j += 64) {
                for (int k = 0; k < 32; k++) out[q + k] = (byte) (l[l0 + j + k] | (l[l0 + j + k + 32] << 4));
                q += 32;
            }
            return;
        }
        int qh = oo + 16;
        int ql = oo + 48;
        for (int i = 0; i < 32; i++) out[qh + i] = 0;
        int m1 = 1;
        int m2 = 2;
        for (int b = 0; b < 256; b += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = l[l0 + b + j];
                if (l1 > 15) {
                    l1 -= 16;
                    out[qh + j] |= (byte) m1;
                }
                int l2 = l[l0 + b + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    out[qh + j] |= (byte) m2;
                }
                out[ql + j] = (byte) (l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }

    /** quantize_row_q6_K_impl: sub-blocks of 16, make_qx_quants weighted by the raw importance, 8-bit scales. */
    private static void q6K(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        int[] l = new int[256];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = makeQxQuantsWeighted(16, 32, x, xo + 16 * ib, l, 16 * ib, qw, qo + 16 * ib);
            scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        if (maxAbsScale < QuantMath.GROUP_MAX_EPS) {
            for (int i = 0; i < 210; i++) out[oo + i] = 0;
            return;
        }
        float iscale = -128.f / maxScale;
        QuantMath.putF16(out, oo + 208, QuantMath.fp16(1 / iscale));
        for (int ib = 0; ib < 16; ib++) out[oo + 192 + ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * scales[ib]));
        float d0 = QuantMath.fp32(QuantMath.getF16(out, oo + 208));
        for (int j = 0; j < 16; j++) {
            float d = d0 * out[oo + 192 + j];
            if (d == 0) continue;
            for (int ii = 0; ii < 16; ii++) {
                int q = QuantMath.nearestInt(x[xo + 16 * j + ii] / d);
                l[16 * j + ii] = Math.max(-32, Math.min(31, q)) + 32;
            }
        }
        int ql = oo;
        int qh = oo + 128;
        for (int j = 0; j < 256; j += 128) {
            for (int k = 0; k < 32; k++) {
                int q1 = l[j + k] & 0xF;
                int q2 = l[j + k + 32] & 0xF;
                int q3 = l[j + k + 64] & 0xF;
                int q4 = l[j + k + 96] & 0xF;
                out[ql + k] = (byte) (q1 | (q3 << 4));
                out[ql + k + 32] = (byte) (q2 | (q4 << 4));
                out[qh + k] = (byte) ((l[j + k] >> 4) | ((l[j + k + 32] >> 4) << 2) | ((l[j + k + 64] >> 4) << 4)
                        | ((l[j + k + 96] >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
    }

    private static float sqrt(float v) {
        return (float) Math.sqrt(v);
    }

    /** make_qx_quants with rmse_type 1 and importance weights {@code w[wo..]}; L gets codes in [0, 2·nmax). */
    static float makeQxQuantsWeighted(int n, int nmax, float[] x, int xo, int[] l, int lo, float[] w, int wo) {
        float max = QuantMath.signedMaxAbs(x, xo, n);
        if (Math.abs(max) < QuantMath.GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int li = QuantMath.nearestInt(iscale * x[xo + i]);
            li = Math.max(-nmax, Math.min(nmax - 1, li));
            l[lo + i] = li + nmax;
            float wi = w[wo + i];
            sumlx += wi * x[xo + i] * li;
            suml2 += wi * li * li;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                int li = QuantMath.nearestInt(iscale * x[xo + i]);
                li = Math.max(-nmax, Math.min(nmax - 1, li));
                float wi = w[wo + i];
                sumlx += wi * x[xo + i] * li;
                suml2 += wi * li * li;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int li = QuantMath.nearestInt(iscale * x[xo + i]);
                    l[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, li));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * make_qp_quants: non-negative values {@code x[from..from+n)} (scales, mins) to codes {@code l[0..n)} in
     * [0, nmax] under weights {@code qw[from..from+n)}. Codes are kept as ggml's uint8_t keeps them: a negative
     * value (IQ2_XXS passes one flipped sign) wraps to 256 + l, which the refinement then reads back.
     */
    static float makeQpQuants(int n, int nmax, float[] x, int[] l, float[] qw, int from) {
        float max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[from + i]);
        if (max < QuantMath.GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[i] = 0;
            return 0.f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; i++) l[i] = QuantMath.nearestInt(iscale * x[from + i]) & 0xff;
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; i++) {
            float diff = x[from + i] - scale * l[i];
            bestMse += qw[from + i] * diff * diff;
        }
        for (int is = -4; is <= 4; is++) {
            if (is == 0) continue;
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.min(nmax, QuantMath.nearestInt(iscaleIs * x[from + i]));
                float diff = x[from + i] - scaleIs * q;
                mse += qw[from + i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int q = Math.min(nmax, QuantMath.nearestInt(iscale * x[from + i]));
            l[i] = q & 0xff;
            sumlx += qw[from + i] * x[from + i] * q;
            suml2 += qw[from + i] * q * q;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float wi = qw[from + i];
                float slx = sumlx - wi * x[from + i] * l[i];
                float sl2 = suml2 - wi * l[i] * l[i];
                if (slx > 0 && sl2 > 0) {
                    int newL = Math.min(nmax, QuantMath.nearestInt(x[from + i] * sl2 / slx));
                    if (newL != l[i]) {
                        slx += wi * x[from + i] * newL;
                        sl2 += wi * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            l[i] = newL & 0xff;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }
}
