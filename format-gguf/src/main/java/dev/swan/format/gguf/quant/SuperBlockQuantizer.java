package dev.swan.format.gguf.quant;

/**
 * A K-quant whose 256-element super-blocks are fitted with a {@link SubBlockFitter}: one
 * {@link SubBlockScratch} serves a whole row, so the fast fitter does not allocate per block.
 */
abstract class SuperBlockQuantizer implements BlockQuantizer {

    @Override
    public final int blockSize() {
        return 256;
    }

    @Override
    public final void quantize(float[] x, int xo, byte[] out, int oo) {
        quantize(x, xo, out, oo, new SubBlockScratch());
    }

    @Override
    public final void quantizeRow(float[] x, int xo, int n, byte[] out, int oo) {
        quantizeBlocks(x, xo, n / 256, out, oo, new SubBlockScratch());
    }

    /** Quantizes {@code blocks} consecutive super-blocks; a type may fit several at once to fill the lanes. */
    void quantizeBlocks(float[] x, int xo, int blocks, byte[] out, int oo, SubBlockScratch scratch) {
        for (int b = 0; b < blocks; b++) quantize(x, xo + b * 256, out, oo + b * blockBytes(), scratch);
    }

    /** Quantizes the super-block at {@code x[xo..]} into {@code out[oo..]} with {@code scratch}'s memory. */
    abstract void quantize(float[] x, int xo, byte[] out, int oo, SubBlockScratch scratch);
}
