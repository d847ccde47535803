package dev.swan.format.gguf.quant;

/**
 * ggml's 4-bit non-linear quants: each value one of 16 levels ({@code kvalues_iq4nl}, denser near zero)
 * times a block scale. IQ4_NL: blocks of 32, {@code d:f16, qs[16]}; IQ4_XS: super-blocks of 256, {@code d:f16,
 * scales_h:u16, scales_l[4], qs[128]}, eight 6-bit block scales relative to d. One search for both
 * ({@code quantize_row_iq4_nl_impl}): a scale from the largest value, 2·7+1 nearby scales tried, the best by
 * weighted least squares; without an importance matrix the weights are x², with one qw·√(σ² + x²).
 */
public final class Iq4 implements ImportanceQuantizer {
    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** IQ4_NL, as llama-quantize writes it without an importance matrix. */
    public static final Iq4 NL = new Iq4(32, 18);
    /** IQ4_XS, as llama-quantize writes it without an importance matrix. */
    public static final Iq4 XS = new Iq4(256, 136);

    private final int superBlock;
    private final int bytes;

    private Iq4(int superBlock, int bytes) {
        this.superBlock = superBlock;
        this.bytes = bytes;
    }

    @Override
    public int blockSize() {
        return superBlock;
    }

    @Override
    public int blockBytes() {
        return bytes;
    }

    /** One (super-)block with importance {@code qw[qo..]} (null: none), as {@code quantize_iq4_nl/xs}. */
    @Override
    public void quantize(float[] x, int xo, float[] qw, int qo, byte[] out, int oo) {
        int blockSize = 32;
        int nb = superBlock / blockSize;
        float sigma2 = 0;
        for (int j = 0; j < superBlock; j++) sigma2 += x[xo + j] * x[xo + j];
        sigma2 *= 2.f / superBlock;
        float[] scales = new float[nb];
        float[] weight = new float[blockSize];
        int[] l = new int[superBlock];
        float maxScale = 0;
        float amaxScale = 0;
        int ntry = 7;
        for (int ib = 0; ib < nb; ib++) {
            int xb = xo + ib * blockSize;
            int lb = ib * blockSize;
            if (qw != null) {
                for (int j = 0; j < blockSize; j++) {
                    weight[j] = qw[qo + ib * blockSize + j] * (float) Math.sqrt(sigma2 + x[xb + j] * x[xb + j]);
                }
            } else {
                for (int j = 0; j < blockSize; j++) weight[j] = x[xb + j] * x[xb + j];
            }
            float amax = 0;
            float max = 0;
            for (int j = 0; j < blockSize; j++) {
                float ax = Math.abs(x[xb + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xb + j];
                }
            }
            if (amax < QuantMath.GROUP_MAX_EPS) {
                scales[ib] = 0;
                continue;
            }
            float d = -max / VALUES[0];
            float id = 1 / d;
            float sumqx = 0;
            float sumq2 = 0;
            for (int j = 0; j < blockSize; j++) {
                float al = id * x[xb + j];
                int li = bestIndex(al);
                l[lb + j] = li;
                float q = VALUES[li];
                float w = weight[j];
                sumqx += w * q * x[xb + j];
                sumq2 += w * q * q;
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
            float best = d * sumqx;
            for (int itry = -ntry; itry <= ntry; itry++) {
                id = (itry + VALUES[0]) / max;
                sumqx = 0;
                sumq2 = 0;
                for (int j = 0; j < blockSize; j++) {
                    float al = id * x[xb + j];
                    int li = bestIndex(al);
                    float q = VALUES[li];
                    float w = weight[j];
                    sumqx += w * q * x[xb + j];
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scales[ib] = d;
            float absD = Math.abs(d);
            if (absD > amaxScale) {
                amaxScale = absD;
                maxScale = d;
            }
        }
        if (nb > 1) {
            int scalesH = 0;
            float d = -maxScale / 32;
            QuantMath.putF16(out, oo, QuantMath.fp16(d));
            float id = d != 0 ? 1 / d : 0.f;
            for (int ib = 0; ib < nb; ib++) {
                int li = QuantMath.nearestInt(id * scales[ib]);
                li = Math.max(-32, Math.min(31, li));
                float dl = d * li;
                float idl = dl != 0 ? 1 / dl : 0.f;
                for (int j = 0; j < blockSize; j++) l[ib * blockSize + j] = bestIndex(idl * x[xo + ib * blockSize + j]);
                li += 32;
                int lLow = li & 0xf;
                int lHigh = li >> 4;
                int at = oo + 4 + ib / 2;
                if (ib % 2 == 0) out[at] = (byte) lLow;
                else out[at] = (byte) (out[at] | (lLow << 4));
                scalesH |= lHigh << 2 * (ib % 8);
            }
            out[oo + 2] = (byte) scalesH;
            out[oo + 3] = (byte) (scalesH >>> 8);
        } else {
            QuantMath.putF16(out, oo, QuantMath.fp16(scales[0]));
            float id = scales[0] != 0 ? 1 / scales[0] : 0;
            for (int j = 0; j < superBlock; j++) l[j] = bestIndex(id * x[xo + j]);
        }
        int qs = oo + (nb > 1 ? 8 : 2);
        for (int i = 0; i < superBlock / 32; i++) {
            for (int j = 0; j < 16; j++) out[qs + 16 * i + j] = (byte) (l[32 * i + j] | (l[32 * i + 16 + j] << 4));
        }
    }

    /** ggml's best_index_int8 over the 16 levels: the nearest, the lower one on a tie. */
    static int bestIndex(float x) {
        if (x <= VALUES[0]) return 0;
        if (x >= VALUES[15]) return 15;
        int ml = 0;
        int mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (x < VALUES[mav]) mu = mav;
            else ml = mav;
        }
        return x - VALUES[mu - 1] < VALUES[mu] - x ? mu - 1 : mu;
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        float d = QuantMath.fp32(QuantMath.getF16(in, io));
        if (superBlock == 32) {
            for (int j = 0; j < 16; j++) {
                int q = in[io + 2 + j] & 0xff;
                out[oo + j] = d * VALUES[q & 0xf];
                out[oo + j + 16] = d * VALUES[q >>> 4];
            }
            return;
        }
        int scalesH = (in[io + 2] & 0xff) | (in[io + 3] & 0xff) << 8;
        for (int ib = 0; ib < 8; ib++) {
            int ls = ((in[io + 4 + ib / 2] >> 4 * (ib % 2)) & 0xf) | (((scalesH >> 2 * ib) & 3) << 4);
            float dl = d * (ls - 32);
            for (int j = 0; j < 16; j++) {
                int q = in[io + 8 + 16 * ib + j] & 0xff;
                out[oo + 32 * ib + j] = dl * VALUES[q & 0xf];
                out[oo + 32 * ib + j + 16] = dl * VALUES[q >>> 4];
            }
        }
    }
}
