package dev.swan.format.gguf.quant;

/** Q5_K: {@code d:f16, dmin:f16, scales[12], qh[32], qs[128]}; x = d·sc·q − dmin·m (ggml's ggml-common.h and ggml-quants.c). */
public final class Q5_K extends KQuant45 {
    public Q5_K() {
        super(31, -0.5f, 15);
    }

    @Override
    public int blockBytes() {
        return 176;
    }

    @Override
    void pack(byte[] out, int oo, int[] l, int lo) {
        int qh = oo + 16;
        int qs = oo + 48;
        for (int i = 0; i < 32; i++) out[qh + i] = 0;
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 32; i++) {
                int a = l[lo + 64 * c + i];
                int b = l[lo + 64 * c + i + 32];
                if (a > 15) {
                    a -= 16;
                    out[qh + i] |= (byte) (1 << (2 * c));
                }
                if (b > 15) {
                    b -= 16;
                    out[qh + i] |= (byte) (1 << (2 * c + 1));
                }
                out[qs + 32 * c + i] = (byte) (a | (b << 4));
            }
        }
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        for (int c = 0; c < 4; c++) {
            float[] lo = subScales(in, io, 2 * c);
            float[] hi = subScales(in, io, 2 * c + 1);
            for (int i = 0; i < 32; i++) {
                int b = in[io + 48 + 32 * c + i] & 0xff;
                int h = in[io + 16 + i] & 0xff;
                int qa = (b & 0xF) + (((h >> (2 * c)) & 1) << 4);
                int qb = (b >> 4) + (((h >> (2 * c + 1)) & 1) << 4);
                out[oo + 64 * c + i] = lo[0] * qa - lo[1];
                out[oo + 64 * c + 32 + i] = hi[0] * qb - hi[1];
            }
        }
    }
}
