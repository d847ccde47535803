package dev.swan.format.gguf.quant;

/** A block quantizer that also takes ggml's per-column importance (an imatrix row; null: none). */
public interface ImportanceQuantizer extends BlockQuantizer {
    /** One block from {@code x[xo..]} with importance {@code qw[qo..]} into {@code out[oo..]}. */
    void quantize(float[] x, int xo, float[] qw, int qo, byte[] out, int oo);

    @Override
    default void quantize(float[] x, int xo, byte[] out, int oo) {
        quantize(x, xo, null, 0, out, oo);
    }
}
