package dev.swan.format.gguf.quant;

import java.util.Arrays;

/**
 * ggml's 3-bit i-quants: groups of 4 values on a D4-style lattice of levels {1, 3, …, 15}·s, signs stored
 * apart, an f16 scale per super-block of 256 and a 4-bit scale per 32. IQ3_XXS (3.06 bits/weight, 98 bytes):
 * 256 grid points, 7 sign bits per 8 (an even count of negatives), scales and signs in one word per 32.
 * IQ3_S (3.44, 110 bytes): 512 points (a ninth index bit in {@code qh}), all 8 signs stored. The search
 * ({@code quantize_row_iq3_xxs_impl}, {@code quantize_row_iq3_s_impl}) tries 31 or 19 scales and snaps each
 * 4-vector to the grid or its nearest neighbour. Without an importance matrix the weights are x².
 */
public final class Iq3 implements ImportanceQuantizer {
    /** The dequantization values of ggml's iq3 grids per level l (0..7). */
    private static final int[] XXS_LEVELS = {4, 12, 20, 28, 36, 44, 52, 62};

    public static final Iq3 XXS = new Iq3(true, 98);
    public static final Iq3 S = new Iq3(false, 110);

    private final boolean xxs;
    private final int bytes;

    private Iq3(boolean xxs, int bytes) {
        this.xxs = xxs;
        this.bytes = bytes;
    }

    private IqGrid grid() {
        return xxs ? IqGrid.iq3xxs() : IqGrid.iq3s();
    }

    @Override
    public int blockSize() {
        return 256;
    }

    @Override
    public int blockBytes() {
        return bytes;
    }

    /** One super-block with importance {@code qw[qo..]} (null: none), as {@code quantize_iq3_xxs/s}. */
    @Override
    public void quantize(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        IqGrid grid = grid();
        float[] scales = new float[8];
        float[] weight = new float[32];
        float[] xval = new float[32];
        float[] waux = new float[32];
        int[] l = new int[32];
        int[] laux = new int[32];
        boolean[] onGrid = new boolean[8];
        boolean[] onGridAux = new boolean[8];
        int[] blockSigns = new int[4];
        float[] fit = new float[2];
        Arrays.fill(out, oo, oo + bytes, (byte) 0);
        // IQ3_XXS: qs[64] then a scales-and-signs word per 32; IQ3_S: qs[64], qh[8], signs[32], scales[4]
        int[] scalesAndSigns = new int[8];
        float maxScale = 0;
        float sumx2 = 0;
        for (int i = 0; i < 256; i++) sumx2 += x[xo + i] * x[xo + i];
        float sigma2 = 2 * sumx2 / 256;
        int nTry = xxs ? 15 : 9;
        for (int ib = 0; ib < 8; ib++) {
            int xb = xo + 32 * ib;
            if (qw != null) {
                for (int i = 0; i < 32; i++) weight[i] = qw[qo + 32 * ib + i] * (float) Math.sqrt(sigma2 + x[xb + i] * x[xb + i]);
            } else {
                for (int i = 0; i < 32; i++) weight[i] = x[xb + i] * x[xb + i];
            }
            for (int i = 0; i < 32; i++) waux[i] = (float) Math.sqrt(weight[i]);
            Iq2.signs(x, xb, 32, weight, xval, blockSigns, xxs);
            float max = xval[0];
            for (int i = 1; i < 32; i++) max = Iq2.max(max, xval[i]);
            Arrays.fill(l, 0);
            if (xxs ? max < 1e-8f : max == 0) {
                scales[ib] = 0;
                continue;
            }
            Arrays.fill(onGrid, xxs); // IQ3_S starts off the grid, IQ3_XXS on it
            float scale = grid.searchScale(xval, weight, waux, max, max / 15, 15, 0.2f, nTry, 8, 4, laux, l, onGridAux, onGrid, fit);
            int notOnGrid = 0;
            for (int k = 0; k < 8; k++) if (!onGrid[k]) notOnGrid++;
            if (notOnGrid > 0 && scale > 0) {
                float id = 1 / scale;
                int[] lv = new int[4];
                for (int k = 0; k < 8; k++) {
                    // IQ3_XXS redoes only the groups off the grid, IQ3_S every group
                    if (xxs && onGrid[k]) continue;
                    int u = grid.pack(xval, 4 * k, id, lv, 0);
                    int gi = grid.index(u);
                    if (gi < 0) gi = grid.bestNeighbour(u, xval, 4 * k, waux, 4 * k, scale, l, 4 * k);
                    for (int i = 0; i < 4; i++) l[4 * k + i] = (grid.point(gi, i) - 1) / 2;
                }
                IqGrid.fit(weight, xval, l, 32, fit);
                float sumqx = fit[0];
                float sumq2 = fit[1];
                if (sumq2 > 0) scale = sumqx / sumq2;
            }
            if (scale < 0) {
                scale = -scale;
                for (int k = 0; k < 4; k++) blockSigns[k] = xxs ? ~blockSigns[k] & 127 : ~blockSigns[k] & 255;
            }
            for (int k = 0; k < 8; k++) {
                int gi = grid.index(grid.levels(l, 4 * k));
                if (gi < 0) throw new IllegalStateException("IQ3: levels off the grid");
                out[oo + 2 + 8 * ib + k] = (byte) gi;
                if (!xxs) out[oo + 66 + ib] |= (byte) ((gi >> 8) << k);
            }
            if (xxs) {
                scalesAndSigns[ib] = blockSigns[0] | blockSigns[1] << 7 | blockSigns[2] << 14 | blockSigns[3] << 21;
            } else {
                for (int k = 0; k < 4; k++) out[oo + 74 + 4 * ib + k] = (byte) blockSigns[k];
            }
            scales[ib] = scale;
            maxScale = Iq2.max(maxScale, scale);
        }
        if (maxScale == 0) {
            if (xxs) Arrays.fill(out, oo, oo + bytes, (byte) 0);
            return;
        }
        float d = maxScale / 31;
        QuantMath.putF16(out, oo, QuantMath.fp16(d * (xxs ? 1.0125f : 1.033f)));
        float id = 1 / d;
        for (int ib = 0; ib < 8; ib++) {
            int s = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
            s = Math.max(0, Math.min(15, s));
            if (xxs) scalesAndSigns[ib] |= s << 28;
            else if (ib % 2 == 0) out[oo + 106 + ib / 2] = (byte) s;
            else out[oo + 106 + ib / 2] |= (byte) (s << 4);
        }
        if (xxs) for (int ib = 0; ib < 8; ib++) Iq2.putInt(out, oo + 66 + 4 * ib, scalesAndSigns[ib]);
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        IqGrid grid = grid();
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        for (int ib = 0; ib < 8; ib++) {
            float db;
            int aux = 0;
            if (xxs) {
                aux = Iq2.getInt(in, io + 66 + 4 * ib);
                db = d * (0.5f + (aux >>> 28)) * 0.5f;
            } else {
                int sc = in[io + 106 + ib / 2] & 0xff;
                db = d * (1 + 2 * (ib % 2 == 0 ? sc & 0xf : sc >> 4));
            }
            for (int l = 0; l < 4; l++) {
                int signs = xxs ? Iq2.signs8((aux >>> 7 * l) & 127) : in[io + 74 + 4 * ib + l] & 0xff;
                for (int h = 0; h < 2; h++) {
                    int gi = in[io + 2 + 8 * ib + 2 * l + h] & 0xff;
                    if (!xxs) gi |= ((in[io + 66 + ib] & 0xff) >> (2 * l + h) & 1) << 8;
                    for (int j = 0; j < 4; j++) {
                        int level = (grid.point(gi, j) - 1) / 2;
                        int g = xxs ? XXS_LEVELS[level] : 2 * level + 1;
                        out[oo + 32 * ib + 8 * l + 4 * h + j] = db * g * ((signs & (1 << (4 * h + j))) != 0 ? -1.f : 1.f);
                    }
                }
            }
        }
    }
}
