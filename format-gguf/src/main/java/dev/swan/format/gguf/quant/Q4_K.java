package dev.swan.format.gguf.quant;

/** Q4_K: {@code d:f16, dmin:f16, scales[12], qs[128]}; x = d·sc·q − dmin·m (ggml's ggml-common.h and ggml-quants.c). */
public final class Q4_K extends KQuant45 {
    public Q4_K() {
        super(15, -1.0f, 20);
    }

    @Override
    public int blockBytes() {
        return 144;
    }

    @Override
    void pack(byte[] out, int oo, int[] l, int lo) {
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 32; i++) {
                out[oo + 16 + 32 * c + i] = (byte) (l[lo + 64 * c + i] | (l[lo + 64 * c + i + 32] << 4));
            }
        }
    }

    @Override
    public void dequantize(byte[] in, int io, float[] out, int oo) {
        for (int c = 0; c < 4; c++) {
            float[] lo = subScales(in, io, 2 * c);
            float[] hi = subScales(in, io, 2 * c + 1);
            for (int i = 0; i < 32; i++) {
                int b = in[io + 16 + 32 * c + i] & 0xff;
                out[oo + 64 * c + i] = lo[0] * (b & 0xF) - lo[1];
                out[oo + 64 * c + 32 + i] = hi[0] * (b >> 4) - hi[1];
            }
        }
    }
}
