package dev.swan.api;

/**
 * One weight of a {@link StoredModel}, decoded on demand. Thread-safe: any number of threads may decode
 * rows at the same time.
 */
public interface StoredTensor {

    /** The Hugging Face name. */
    String name();

    /** Dimensions, outermost first (a matrix is rows × columns); 1-D tensors have one. */
    long[] shape();

    /** How it is stored, e.g. {@code BF16}, {@code Q4_K}, {@code affine4/g64}. */
    String encoding();

    /** Bytes its stored form takes (scales, biases and block headers included). */
    long storedBytes();

    /** Elements per row: the last dimension. */
    default long cols() {
        long[] s = shape();
        return s.length == 0 ? 1 : s[s.length - 1];
    }

    /** Rows: every dimension but the last multiplied. */
    default long rows() {
        long[] s = shape();
        long n = 1;
        for (int i = 0; i < s.length - 1; i++) n *= s[i];
        return n;
    }

    /**
     * Decodes rows {@code [first, first + count)} to float32 into {@code dst} (row-major, {@code count ×
     * cols()} values from index 0), exactly as the runtime that reads this file would dequantize them.
     */
    void decodeRows(long first, int count, float[] dst);
}
