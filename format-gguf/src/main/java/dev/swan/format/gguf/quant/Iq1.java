package dev.swan.format.gguf.quant;

import java.util.Arrays;

/**
 * ggml's 1-bit i-quants: groups of 8 ternary values {-1, 0, 1} + δ (δ = ±1/8, per group of 32 or 16) from a
 * grid of 2048, a 3-bit scale per group. IQ1_S (1.56 bits/weight, 50 bytes: f16 d, qs[32], qh u16[8] with the
 * index's high bits, the scale and δ's sign); IQ1_M (1.75, 56 bytes: no f16 field, its scale split across
 * the four 16-bit scale words). The search ({@code quantize_row_iq1_s_impl}, {@code quantize_row_iq1_m_impl})
 * sorts the group, tries every split of it into three runs (−1, 0, +1) with both δ signs, then snaps each
 * 8-vector to the grid. ggml refuses IQ1_S without an importance matrix; here it then weighs every column
 * alike, as IQ1_M's own fallback does not (it uses x²).
 */
public final class Iq1 implements ImportanceQuantizer {
    private static final float DELTA = 0.125f;
    private static final float[] X_P = {-1 + DELTA, DELTA, 1 + DELTA};
    private static final float[] X_M = {-1 - DELTA, -DELTA, 1 - DELTA};

    public static final Iq1 S = new Iq1(true, 50);
    public static final Iq1 M = new Iq1(false, 56);

    private final boolean s;
    private final int bytes;

    private Iq1(boolean s, int bytes) {
        this.s = s;
        this.bytes = bytes;
    }

    @Override
    public int blockSize() {
        return 256;
    }

    @Override
    public int blockBytes() {
        return bytes;
    }

    /** One super-block with importance {@code qw[qo..]} (null: none), as {@code quantize_iq1_s/m}. */
    @Override
    public void quantize(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        if (s) iq1s(x, xo, qw, qo, out, oo);
        else iq1m(x, xo, qw, qo, out, oo);
    }

    /** Indices 0..n-1 ordered by x[xb + i], ties in index order (glibc's qsort is a stable merge sort here). */
    private static void sortedIndex(float[] x, int xb, int n, int[] idx) {
        for (int j = 0; j < n; j++) idx[j] = j;
        for (int j = 1; j < n; j++) {
            int v = idx[j];
            float key = x[xb + v];
            int k = j - 1;
            while (k >= 0 && x[xb + idx[k]] > key) {
                idx[k + 1] = idx[k];
                k--;
            }
            idx[k + 1] = v;
        }
    }

    /** iq1_find_best_neighbour2: the neighbour of off-grid {@code u} nearest at {@code scale} with levels xx. */
    private static int bestNeighbour(IqGrid grid, int u, float[] x, int xb, float[] weight, int wo, float scale,
                                     float[] xx, int[] l, int lo) {
        int list = grid.neighbourList(u);
        int n = grid.neighbourCount(list);
        float best = Float.MAX_VALUE;
        int gi = -1;
        for (int j = 1; j <= n; j++) {
            int k = grid.neighbour(list, j);
            float d2 = 0;
            for (int i = 0; i < 8; i++) {
                float q = xx[(grid.point(k, i) - 1) / 2];
                float w = weight[wo + i];
                float diff = scale * q - x[xb + i];
                d2 += w * diff * diff;
            }
            if (d2 < best) {
                best = d2;
                gi = k;
            }
        }
        if (gi < 0) throw new IllegalStateException("IQ1: no grid neighbour (NaN or infinite weights)");
        for (int i = 0; i < 8; i++) l[lo + i] = (grid.point(gi, i) - 1) / 2;
        return gi;
    }

    private static void iq1s(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        IqGrid grid = IqGrid.iq1();
        float[] scales = new float[8];
        float[] weight = new float[32];
        float[] sumx = new float[33];
        float[] sumw = new float[33];
        int[] idx = new int[32];
        int[] l = new int[32];
        int[] index = new int[4];
        int[] shifts = new int[8];
        int[] qh = new int[8];
        Arrays.fill(out, oo, oo + 50, (byte) 0);
        float maxScale = 0;
        float sumx2 = 0;
        for (int i = 0; i < 256; i++) sumx2 += x[xo + i] * x[xo + i];
        float sigma2 = 2 * sumx2 / 256;
        for (int ib = 0; ib < 8; ib++) {
            int xb = xo + 32 * ib;
            for (int i = 0; i < 32; i++) {
                float w = qw == null ? 1f : qw[qo + 32 * ib + i];
                weight[i] = w * (float) Math.sqrt(sigma2 + x[xb + i] * x[xb + i]);
            }
            float max = Math.abs(x[xb]);
            for (int i = 1; i < 32; i++) max = Iq2.max(max, Math.abs(x[xb + i]));
            if (max < 1e-12f) {
                scales[ib] = 0;
                shifts[ib] = 1;
                continue;
            }
            sortedIndex(x, xb, 32, idx);
            sumx[0] = sumw[0] = 0;
            for (int j = 0; j < 32; j++) {
                int i = idx[j];
                sumx[j + 1] = sumx[j] + weight[i] * x[xb + i];
                sumw[j + 1] = sumw[j] + weight[i];
            }
            float bestScore = -Float.MAX_VALUE;
            float scale = max;
            int besti1 = -1;
            int besti2 = -1;
            int bestShift = 0;
            for (int i1 = 0; i1 <= 32; i1++) {
                for (int i2 = i1; i2 <= 32; i2++) {
                    float sumqx = (sumx[i1] - sumx[0]) * X_P[0] + (sumx[i2] - sumx[i1]) * X_P[1] + (sumx[32] - sumx[i2]) * X_P[2];
                    float sumq2 = (sumw[i1] - sumw[0]) * X_P[0] * X_P[0] + (sumw[i2] - sumw[i1]) * X_P[1] * X_P[1]
                            + (sumw[32] - sumw[i2]) * X_P[2] * X_P[2];
                    if (sumq2 > 0 && sumqx * sumqx > bestScore * sumq2) {
                        scale = sumqx / sumq2;
                        bestScore = scale * sumqx;
                        besti1 = i1;
                        besti2 = i2;
                        bestShift = 1;
                    }
                    sumqx = (sumx[i1] - sumx[0]) * X_M[0] + (sumx[i2] - sumx[i1]) * X_M[1] + (sumx[32] - sumx[i2]) * X_M[2];
                    sumq2 = (sumw[i1] - sumw[0]) * X_M[0] * X_M[0] + (sumw[i2] - sumw[i1]) * X_M[1] * X_M[1]
                            + (sumw[32] - sumw[i2]) * X_M[2] * X_M[2];
                    if (sumq2 > 0 && sumqx * sumqx > bestScore * sumq2) {
                        scale = sumqx / sumq2;
                        bestScore = scale * sumqx;
                        besti1 = i1;
                        besti2 = i2;
                        bestShift = -1;
                    }
                }
            }
            if (besti1 < 0 || besti2 < 0 || bestShift == 0) {
                scales[ib] = 0;
                shifts[ib] = 1;
                continue;
            }
            for (int j = 0; j < besti1; j++) l[idx[j]] = 0;
            for (int j = besti1; j < besti2; j++) l[idx[j]] = 1;
            for (int j = besti2; j < 32; j++) l[idx[j]] = 2;
            if (scale < 0) {
                for (int j = 0; j < 32; j++) l[j] = 2 - l[j];
                scale = -scale;
                bestShift = -bestShift;
            }
            boolean allOnGrid = true;
            float[] xx = bestShift == 1 ? X_P : X_M;
            for (int k = 0; k < 4; k++) {
                int u = grid.levels(l, 8 * k);
                int gi = grid.index(u);
                if (gi < 0) {
                    allOnGrid = false;
                    gi = bestNeighbour(grid, u, x, xb + 8 * k, weight, 8 * k, scale, xx, l, 8 * k);
                }
                index[k] = gi;
            }
            if (!allOnGrid) {
                float sumqx = 0;
                float sumq2 = 0;
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < 8; j++) {
                        float w = weight[8 * k + j];
                        float q = xx[(grid.point(index[k], j) - 1) / 2];
                        sumqx += w * q * x[xb + 8 * k + j];
                        sumq2 += w * q * q;
                    }
                }
                if (sumqx > 0 && sumq2 > 0) scale = sumqx / sumq2;
            }
            int h = 0;
            for (int k = 0; k < 4; k++) {
                out[oo + 2 + 4 * ib + k] = (byte) index[k];
                h |= (index[k] >> 8) << 3 * k;
            }
            qh[ib] = h;
            scales[ib] = scale;
            shifts[ib] = bestShift;
            maxScale = Iq2.max(maxScale, scale);
        }
        if (maxScale != 0) {
            float d = maxScale / 15;
            QuantMath.putF16(out, oo, QuantMath.fp16(d * 1.125f));
            float id = 1 / d;
            for (int ib = 0; ib < 8; ib++) {
                int q = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
                q = Math.max(0, Math.min(7, q));
                if (shifts[ib] == -1) q |= 8;
                qh[ib] |= q << 12;
            }
        }
        for (int ib = 0; ib < 8; ib++) {
            out[oo + 34 + 2 * ib] = (byte) qh[ib];
            out[oo + 35 + 2 * ib] = (byte) (qh[ib] >>> 8);
        }
    }

    private static void iq1m(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        IqGrid grid = IqGrid.iq1();
        int[] masks = {0x00, 0x80, 0x08, 0x88};
        float[] scales = new float[16];
        float[] weight = new float[16];
        int[] idx = new int[16];
        int[] l = new int[16];
        int[] index = new int[2];
        int[] shifts = new int[16];
        float[] sumqx = new float[4];
        float[] sumq2 = new float[4];
        Arrays.fill(out, oo, oo + 56, (byte) 0);
        float maxScale = 0;
        float sumx2 = 0;
        for (int i = 0; i < 256; i++) sumx2 += x[xo + i] * x[xo + i];
        float sigma2 = 2 * sumx2 / 256;
        for (int ib = 0; ib < 16; ib++) {
            int xb = xo + 16 * ib;
            weights(x, xb, qw, qo + 16 * ib, sigma2, weight);
            float max = Math.abs(x[xb]);
            for (int i = 1; i < 16; i++) max = Iq2.max(max, Math.abs(x[xb + i]));
            if (max < 1e-7f) {
                scales[ib] = 0;
                shifts[ib] = 0;
                continue;
            }
            sortedIndex(x, xb, 16, idx);
            float bestScore = -Float.MAX_VALUE;
            float scale = max;
            int besti1 = -1;
            int besti2 = -1;
            int bestK = -1;
            for (int i1 = 0; i1 <= 16; i1++) {
                for (int i2 = i1; i2 <= 16; i2++) {
                    Arrays.fill(sumqx, 0);
                    Arrays.fill(sumq2, 0);
                    for (int j = 0; j < 16; j++) {
                        int run = j < i1 ? 0 : j < i2 ? 1 : 2;
                        int i = idx[j];
                        float w = weight[i];
                        float xp = X_P[run];
                        float xm = X_M[run];
                        // the first 8 values take δ of k's high bit, the second 8 of its low bit
                        if (i < 8) {
                            sumqx[0] += w * xp * x[xb + i];
                            sumqx[1] += w * xp * x[xb + i];
                            sumqx[2] += w * xm * x[xb + i];
                            sumqx[3] += w * xm * x[xb + i];
                            sumq2[0] += w * xp * xp;
                            sumq2[1] += w * xp * xp;
                            sumq2[2] += w * xm * xm;
                            sumq2[3] += w * xm * xm;
                        } else {
                            sumqx[0] += w * xp * x[xb + i];
                            sumqx[2] += w * xp * x[xb + i];
                            sumqx[1] += w * xm * x[xb + i];
                            sumqx[3] += w * xm * x[xb + i];
                            sumq2[0] += w * xp * xp;
                            sumq2[2] += w * xp * xp;
                            sumq2[1] += w * xm * xm;
                            sumq2[3] += w * xm * xm;
                        }
                    }
                    for (int k = 0; k < 4; k++) {
                        if (sumq2[k] > 0 && sumqx[k] * sumqx[k] > bestScore * sumq2[k]) {
                            scale = sumqx[k] / sumq2[k];
                            bestScore = scale * sumqx[k];
                            besti1 = i1;
                            besti2 = i2;
                            bestK = k;
                        }
                    }
                }
            }
            if (besti1 < 0 || besti2 < 0 || bestK < 0) {
                scales[ib] = 0;
                shifts[ib] = 0;
                continue;
            }
            for (int j = 0; j < besti1; j++) l[idx[j]] = 0;
            for (int j = besti1; j < besti2; j++) l[idx[j]] = 1;
            for (int j = besti2; j < 16; j++) l[idx[j]] = 2;
            if (scale < 0) {
                for (int j = 0; j < 16; j++) l[j] = 2 - l[j];
                scale = -scale;
                bestK = 3 - bestK;
            }
            boolean allOnGrid = true;
            for (int k = 0; k < 2; k++) {
                float[] xx = levelsFor(bestK, k);
                int u = grid.levels(l, 8 * k);
                int gi = grid.index(u);
                if (gi < 0) {
                    allOnGrid = false;
                    gi = bestNeighbour(grid, u, x, xb + 8 * k, weight, 8 * k, scale, xx, l, 8 * k);
                }
                index[k] = gi;
            }
            if (!allOnGrid) {
                float sqx = 0;
                float sq2 = 0;
                for (int k = 0; k < 2; k++) {
                    float[] xx = levelsFor(bestK, k);
                    for (int j = 0; j < 8; j++) {
                        float w = weight[8 * k + j];
                        float q = xx[(grid.point(index[k], j) - 1) / 2];
                        sqx += w * q * x[xb + 8 * k + j];
                        sq2 += w * q * q;
                    }
                }
                if (sqx > 0 && sq2 > 0) scale = sqx / sq2;
            }
            out[oo + 2 * ib] = (byte) index[0];
            out[oo + 2 * ib + 1] = (byte) index[1];
            out[oo + 32 + ib] = (byte) ((index[0] >> 8) | ((index[1] >> 8) << 4));
            scales[ib] = scale;
            shifts[ib] = bestK;
            maxScale = Iq2.max(maxScale, scale);
        }
        if (maxScale == 0) return;
        int[] sc = new int[4];
        float d = maxScale / 15;
        float id = 1 / d;
        float sqx = 0;
        float sq2 = 0;
        for (int ib = 0; ib < 16; ib++) {
            int q = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
            q = Math.max(0, Math.min(7, q));
            sc[ib / 4] |= q << 3 * (ib % 4);
            out[oo + 32 + ib] |= (byte) masks[shifts[ib]];
            int xb = xo + 16 * ib;
            weights(x, xb, qw, qo + 16 * ib, sigma2, weight);
            int qh = out[oo + 32 + ib] & 0xff;
            for (int k = 0; k < 2; k++) {
                float[] xx = levelsFor(shifts[ib], k);
                int gi = (out[oo + 2 * ib + k] & 0xff) + ((qh << (8 - 4 * k)) & 0x700);
                for (int j = 0; j < 8; j++) {
                    float w = weight[8 * k + j];
                    float v = xx[(grid.point(gi, j) - 1) / 2] * (2 * q + 1);
                    sqx += w * v * x[xb + 8 * k + j];
                    sq2 += w * v * v;
                }
            }
        }
        if (sq2 > 0) d = sqx / sq2;
        int h = QuantMath.fp16(d * 1.1125f) & 0xffff;
        sc[0] |= (h & 0x000f) << 12;
        sc[1] |= (h & 0x00f0) << 8;
        sc[2] |= (h & 0x0f00) << 4;
        sc[3] |= h & 0xf000;
        for (int i = 0; i < 4; i++) {
            out[oo + 48 + 2 * i] = (byte) sc[i];
            out[oo + 49 + 2 * i] = (byte) (sc[i] >>> 8);
        }
    }

    /** δ's sign for half {@code k} of a 16-group: shift 0 both +, 1 second −, 2 first −, 3 both −. */
    private static float[] levelsFor(int shift, int k) {
        if (k == 0) return shift < 2 ? X_P : X_M;
        return shift % 2 == 0 ? X_P : X_M;
    }

    private static void weights(float[] x, int xb, float[] qw, int qo, float sigma2, float[] weight) {
        if (qw != null) {
            for (int i = 0; i < 16; i++) weight[i] = qw[qo + i] * (float) Math.sqrt(sigma2 + x[xb + i] * x[xb + i]);
        } else {
            for (int i = 0; i < 16; i++) weight[i] = x[xb + i] * x[xb + i];
        }
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        IqGrid grid = IqGrid.iq1();
        if (s) {
            float d = QuantMath.fp32(QuantMath.getF16(in, io));
            for (int ib = 0; ib < 8; ib++) {
                int qh = (in[io + 34 + 2 * ib] & 0xff) | (in[io + 35 + 2 * ib] & 0xff) << 8;
                float dl = d * (2 * ((qh >> 12) & 7) + 1);
                float delta = (qh & 0x8000) != 0 ? -DELTA : DELTA;
                for (int l = 0; l < 4; l++) {
                    int gi = (in[io + 2 + 4 * ib + l] & 0xff) | ((qh >> 3 * l) & 7) << 8;
                    for (int j = 0; j < 8; j++) out[oo + 32 * ib + 8 * l + j] = dl * (value(grid, gi, j) + delta);
                }
            }
            return;
        }
        int[] sc = new int[4];
        for (int i = 0; i < 4; i++) sc[i] = (in[io + 48 + 2 * i] & 0xff) | (in[io + 49 + 2 * i] & 0xff) << 8;
        int h = (sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000);
        float d = QuantMath.fp32((short) h);
        for (int ib = 0; ib < 8; ib++) {
            float dl1 = d * (2 * ((sc[ib / 2] >> (6 * (ib % 2))) & 7) + 1);
            float dl2 = d * (2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 7) + 1);
            int qh0 = in[io + 32 + 2 * ib] & 0xff;
            int qh1 = in[io + 33 + 2 * ib] & 0xff;
            for (int l = 0; l < 4; l++) {
                int qh = l < 2 ? qh0 : qh1;
                int gi = (in[io + 4 * ib + l] & 0xff) | ((qh << (l % 2 == 0 ? 8 : 4)) & 0x700);
                float delta = (qh & (l % 2 == 0 ? 0x08 : 0x80)) != 0 ? -DELTA : DELTA;
                float dl = l < 2 ? dl1 : dl2;
                for (int j = 0; j < 8; j++) out[oo + 32 * ib + 8 * l + j] = dl * (value(grid, gi, j) + delta);
            }
        }
    }

    /** The grid's value -1, 0 or 1 at coordinate j of point gi. */
    private static int value(IqGrid grid, int gi, int j) {
        return (grid.point(gi, j) - 1) / 2 - 1;
    }
}
