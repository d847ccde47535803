package dev.swan.format.gguf.quant;

/**
 * The working memory of up to two K-quant super-blocks (fitter, weights, scales, mins, codes), made once
 * per row and reused block after block: per-block arrays made the fast fitter allocate a gigabyte a second.
 */
final class SubBlockScratch {
    final SubBlockFitter fitter = SubBlockFitter.create();
    final float[] weights = new float[512];
    final float[] scales = new float[16];
    final float[] mins = new float[16];
    final int[] l = new int[512];
    final int[] ls = new int[8];
    final int[] lm = new int[8];
}
