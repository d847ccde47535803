package dev.swan.format.gguf.quant;

/**
 * One ggml tensor type: how a block of {@link #blockSize()} floats becomes {@link #blockBytes()} bytes and
 * back. Quantizers are byte-exact with ggml's reference ({@code quantize_row_*_ref}, ggml's ggml-common.h and ggml-quants.c):
 * float32 arithmetic in the reference's order, no fused multiply-add. Stateless, thread-safe.
 */
public interface BlockQuantizer {

    int blockSize();

    int blockBytes();

    /** Quantizes {@code blockSize()} values from {@code x[xo..]} into {@code out[oo..]}. */
    void quantize(float[] x, int xo, byte[] out, int oo);

    /** Decodes one block from {@code in[io..]} into {@code out[oo..]}. */
    void dequantize(byte[] in, int io, float[] out, int oo);

    /** Quantizes a row (a multiple of the block size). */
    default void quantizeRow(float[] x, int xo, int n, byte[] out, int oo) {
        int bs = blockSize();
        int bb = blockBytes();
        for (int b = 0; b < n / bs; b++) quantize(x, xo + b * bs, out, oo + b * bb);
    }

    default void dequantizeRow(byte[] in, int io, int n, float[] out, int oo) {
        int bs = blockSize();
        int bb = blockBytes();
        for (int b = 0; b < n / bs; b++) dequantize(in, io + b * bb, out, oo + b * bs);
    }
}
