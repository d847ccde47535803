package dev.swan.format.gguf.quant;

/**
 * ggml's 2-bit i-quants: groups of 8 values on an E8-style lattice of levels {1, 3, 5}·s (a grid of 256, 512
 * or 1024 points), signs stored apart, per super-block of 256 an f16 scale and 4-bit group scales.
 * IQ2_XXS (2.06 bits/weight, 66 bytes): groups of 32 share a scale, the sign bytes keep an even count of
 * negatives (7 bits, the eighth implied). IQ2_XS (2.31, 74 bytes): groups of 16, 512 points. IQ2_S (2.56, 82
 * bytes): 1024 points, all 8 signs stored. The search ({@code quantize_row_iq2_*_impl}) tries 13 or 19 scales,
 * snaps each 8-vector to the grid or its nearest neighbour, keeps the best by weighted least squares.
 * ggml refuses IQ2_XXS and IQ2_XS without an importance matrix; here they then weigh every column alike.
 */
public final class Iq2 implements ImportanceQuantizer {
    /** The dequantization levels of ggml's iq2 grids: level l (0..2) is {@code LEVELS[l]}·d/4·(2s+1)/2. */
    private static final int[] LEVELS = {8, 25, 43};

    public static final Iq2 XXS = new Iq2(0, 66);
    public static final Iq2 XS = new Iq2(1, 74);
    public static final Iq2 S = new Iq2(2, 82);

    private final int kind;
    private final int bytes;

    private Iq2(int kind, int bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    private IqGrid grid() {
        return kind == 0 ? IqGrid.iq2xxs() : kind == 1 ? IqGrid.iq2xs() : IqGrid.iq2s();
    }

    @Override
    public int blockSize() {
        return 256;
    }

    @Override
    public int blockBytes() {
        return bytes;
    }

    /** One super-block with importance {@code qw[qo..]} (null: none), as {@code quantize_iq2_*}. */
    @Override
    public void quantize(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        if (kind == 0) xxs(x, xo, qw, qo, out, oo);
        else sixteen(x, xo, qw, qo, out, oo);
    }

    static float max(float a, float b) {
        return a > b ? a : b;
    }

    /**
     * Absolute values into {@code xval}, sign bits per 8 into {@code signs}; with {@code evenSigns} an odd
     * count of negatives flips the least important value so the count is even (the 8th bit is implied).
     */
    static void signs(float[] x, int xb, int n, float[] weight, float[] xval, int[] signs, boolean evenSigns) {
        for (int k = 0; k < n / 8; k++) {
            int nflip = 0;
            int s = 0;
            for (int i = 0; i < 8; i++) {
                float v = x[xb + 8 * k + i];
                if (v >= 0) xval[8 * k + i] = v;
                else {
                    xval[8 * k + i] = -v;
                    nflip++;
                    s |= 1 << i;
                }
            }
            if (evenSigns && nflip % 2 != 0) {
                int imin = 0;
                float min = weight[8 * k] * x[xb + 8 * k] * x[xb + 8 * k];
                for (int i = 1; i < 8; i++) {
                    float ax = weight[8 * k + i] * x[xb + 8 * k + i] * x[xb + 8 * k + i];
                    if (ax < min) {
                        min = ax;
                        imin = i;
                    }
                }
                xval[8 * k + imin] = -xval[8 * k + imin];
                s ^= 1 << imin;
            }
            signs[k] = evenSigns ? s & 127 : s;
        }
    }

    private static float sigma2(float[] x, int xo) {
        float sumx2 = 0;
        for (int i = 0; i < 256; i++) sumx2 += x[xo + i] * x[xo + i];
        return sumx2;
    }

    private void xxs(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        IqGrid grid = grid();
        float[] scales = new float[8];
        float[] weight = new float[32];
        float[] xval = new float[32];
        float[] waux = new float[32];
        int[] l = new int[32];
        int[] laux = new int[32];
        int[] blockSigns = new int[4];
        int[] q2 = new int[16];
        float[] fit = new float[2];
        float maxScale = 0;
        float sigma2 = sigma2(x, xo) / 256;
        for (int ib = 0; ib < 8; ib++) {
            int xb = xo + 32 * ib;
            for (int i = 0; i < 32; i++) {
                float w = qw == null ? 1f : qw[qo + 32 * ib + i];
                weight[i] = w * (float) Math.sqrt(sigma2 + x[xb + i] * x[xb + i]);
            }
            for (int i = 0; i < 32; i++) waux[i] = (float) Math.sqrt(weight[i]);
            signs(x, xb, 32, weight, xval, blockSigns, true);
            float max = xval[0];
            for (int i = 1; i < 32; i++) max = max(max, xval[i]);
            if (max < QuantMath.GROUP_MAX_EPS) {
                scales[ib] = 0;
                continue;
            }
            float scale = WeightedQuants.makeQpQuants(32, 4, xval, laux, weight, 0);
            float effMax = scale * 3;
            if (effMax <= 0) {
                scales[ib] = 0;
                continue;
            }
            float best = 0;
            for (int is = -6; is <= 6; is++) {
                float id = (5 + is * 0.1f) / effMax;
                float thisScale = 1 / id;
                for (int k = 0; k < 4; k++) {
                    int u = grid.pack(xval, 8 * k, id, laux, 8 * k);
                    if (grid.index(u) < 0) grid.bestNeighbour(u, xval, 8 * k, waux, 8 * k, thisScale, laux, 8 * k);
                }
                IqGrid.fit(weight, xval, laux, 32, fit);
                float sumqx = fit[0];
                float sumq2 = fit[1];
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    scale = sumqx / sumq2;
                    best = scale * sumqx;
                    System.arraycopy(laux, 0, l, 0, 32);
                }
            }
            if (scale > 0) {
                float id = 1 / scale;
                for (int k = 0; k < 4; k++) {
                    int[] lv = new int[8];
                    int u = grid.pack(xval, 8 * k, id, lv, 0);
                    int gi = grid.index(u);
                    if (gi < 0) gi = grid.bestNeighbour(u, xval, 8 * k, waux, 8 * k, scale, l, 8 * k);
                    for (int i = 0; i < 8; i++) l[8 * k + i] = (grid.point(gi, i) - 1) / 2;
                }
                IqGrid.fit(weight, xval, l, 32, fit);
                float sumqx = fit[0];
                float sumq2 = fit[1];
                if (sumq2 > 0) scale = sumqx / sumq2;
            }
            if (scale < 0) {
                scale = -scale;
                for (int k = 0; k < 4; k++) blockSigns[k] = ~blockSigns[k] & 127;
            }
            for (int k = 0; k < 4; k++) {
                int gi = grid.index(grid.levels(l, 8 * k));
                if (gi < 0) throw new IllegalStateException("IQ2_XXS: levels off the grid");
                q2[2 * ib] |= gi << 8 * k;
                q2[2 * ib + 1] |= blockSigns[k] << 7 * k;
            }
            scales[ib] = scale;
            maxScale = max(maxScale, scale);
        }
        java.util.Arrays.fill(out, oo, oo + 66, (byte) 0);
        if (maxScale == 0) return;
        float d = maxScale / 31;
        QuantMath.putF16(out, oo, QuantMath.fp16(d));
        float id = 1 / d;
        for (int ib = 0; ib < 8; ib++) {
            int s = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
            s = Math.max(0, Math.min(15, s));
            q2[2 * ib + 1] |= s << 28;
        }
        for (int j = 0; j < 16; j++) putInt(out, oo + 2 + 4 * j, q2[j]);
    }

    /** IQ2_XS and IQ2_S: groups of 16. */
    private void sixteen(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        boolean s = kind == 2;
        IqGrid grid = grid();
        float[] scales = new float[16];
        float[] weight = new float[16];
        float[] xval = new float[16];
        float[] waux = new float[16];
        int[] l = new int[16];
        int[] laux = new int[16];
        boolean[] onGrid = new boolean[2];
        boolean[] onGridAux = new boolean[2];
        int[] blockSigns = new int[2];
        float[] fit = new float[2];
        java.util.Arrays.fill(out, oo, oo + bytes, (byte) 0);
        float maxScale = 0;
        float sigma2 = (s ? 2 * sigma2(x, xo) : sigma2(x, xo)) / 256;
        for (int ib = 0; ib < 16; ib++) {
            int xb = xo + 16 * ib;
            if (qw != null || !s) {
                for (int i = 0; i < 16; i++) {
                    float w = qw == null ? 1f : qw[qo + 16 * ib + i];
                    weight[i] = w * (float) Math.sqrt(sigma2 + x[xb + i] * x[xb + i]);
                }
            } else {
                for (int i = 0; i < 16; i++) weight[i] = 0.25f * sigma2 + x[xb + i] * x[xb + i];
            }
            for (int i = 0; i < 16; i++) waux[i] = (float) Math.sqrt(weight[i]);
            signs(x, xb, 16, weight, xval, blockSigns, !s);
            float max = xval[0];
            for (int i = 1; i < 16; i++) max = max(max, xval[i]);
            java.util.Arrays.fill(l, 0);
            if (max < (s ? 1e-8f : QuantMath.GROUP_MAX_EPS)) {
                scales[ib] = 0;
                continue;
            }
            onGrid[0] = onGrid[1] = true;
            float scale = grid.searchScale(xval, weight, waux, max, max / 5, 5, 0.1f, 9, 2, 8, laux, l, onGridAux, onGrid, fit);
            if ((!onGrid[0] || !onGrid[1]) && scale > 0) {
                float id = 1 / scale;
                for (int k = 0; k < 2; k++) {
                    if (onGrid[k]) continue;
                    int u = grid.pack(xval, 8 * k, id, l, 8 * k);
                    if (grid.index(u) < 0) grid.bestNeighbour(u, xval, 8 * k, waux, 8 * k, scale, l, 8 * k);
                }
                IqGrid.fit(weight, xval, l, 16, fit);
                float sumqx = fit[0];
                float sumq2 = fit[1];
                if (sumq2 > 0) scale = sumqx / sumq2;
            }
            if (scale < 0) {
                scale = -scale;
                for (int k = 0; k < 2; k++) blockSigns[k] = s ? ~blockSigns[k] & 255 : ~blockSigns[k] & 127;
            }
            for (int k = 0; k < 2; k++) {
                int gi = grid.index(grid.levels(l, 8 * k));
                if (gi < 0) throw new IllegalStateException("IQ2: levels off the grid");
                int i8 = 2 * ib + k;
                if (s) {
                    out[oo + 2 + i8] = (byte) gi;
                    out[oo + 66 + i8 / 4] |= (byte) ((gi >> 8) << 2 * (i8 % 4));
                    out[oo + 2 + 32 + i8] = (byte) blockSigns[k];
                } else {
                    int v = gi | (blockSigns[k] << 9);
                    out[oo + 2 + 2 * i8] = (byte) v;
                    out[oo + 3 + 2 * i8] = (byte) (v >>> 8);
                }
            }
            scales[ib] = scale;
            maxScale = max(maxScale, scale);
        }
        if (maxScale == 0) {
            if (!s) java.util.Arrays.fill(out, oo, oo + 66, (byte) 0);
            return;
        }
        float d = maxScale / 31;
        QuantMath.putF16(out, oo, QuantMath.fp16(s ? d * 0.9875f : d));
        float id = 1 / d;
        int scalesAt = oo + (s ? 74 : 66);
        for (int ib = 0; ib < 16; ib++) {
            int q = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
            q = Math.max(0, Math.min(15, q));
            if (ib % 2 == 0) out[scalesAt + ib / 2] = (byte) q;
            else out[scalesAt + ib / 2] |= (byte) (q << 4);
        }
    }

    static void putInt(byte[] out, int at, int v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >>> 8);
        out[at + 2] = (byte) (v >>> 16);
        out[at + 3] = (byte) (v >>> 24);
    }

    static int getInt(byte[] in, int at) {
        return (in[at] & 0xff) | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff) << 16 | (in[at + 3] & 0xff) << 24;
    }

    /** ksigns_iq2xs: 7 stored sign bits and the eighth that makes the count of negatives even. */
    static int signs8(int seven) {
        return seven | (Integer.bitCount(seven) & 1) << 7;
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        IqGrid grid = grid();
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        for (int ib32 = 0; ib32 < 8; ib32++) {
            for (int l = 0; l < 4; l++) {
                float db;
                int gi;
                int signs;
                if (kind == 0) {
                    int aux1 = getInt(in, io + 2 + 8 * ib32 + 4);
                    db = d * (0.5f + (aux1 >>> 28)) * 0.25f;
                    gi = in[io + 2 + 8 * ib32 + l] & 0xff;
                    signs = signs8((aux1 >>> 7 * l) & 127);
                } else if (kind == 1) {
                    int sc = in[io + 66 + ib32] & 0xff;
                    db = d * (0.5f + (l < 2 ? sc & 0xf : sc >> 4)) * 0.25f;
                    int q = (in[io + 2 + 2 * (4 * ib32 + l)] & 0xff) | (in[io + 3 + 2 * (4 * ib32 + l)] & 0xff) << 8;
                    gi = q & 511;
                    signs = signs8(q >>> 9);
                } else {
                    int sc = in[io + 74 + ib32] & 0xff;
                    db = d * (0.5f + (l < 2 ? sc & 0xf : sc >> 4)) * 0.25f;
                    int qh = in[io + 66 + ib32] & 0xff;
                    gi = (in[io + 2 + 4 * ib32 + l] & 0xff) | (qh << (8 - 2 * l) & 0x300);
                    signs = in[io + 34 + 4 * ib32 + l] & 0xff;
                }
                int base = oo + 32 * ib32 + 8 * l;
                for (int j = 0; j < 8; j++) {
                    int g = LEVELS[(grid.point(gi, j) - 1) / 2];
                    out[base + j] = db * g * ((signs & (1 << j)) != 0 ? -1.f : 1.f);
                }
            }
        }
    }
}
