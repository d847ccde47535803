package dev.swan.api.tensor;

/**
 * Read-only access to one tensor's data, without copying the whole tensor unless asked. Works for
 * tensors of any size (the backing file is mapped in windows). Implementations are thread-safe: any
 * number of threads may read concurrently.
 */
public interface TensorData {

    TensorInfo info();

    /**
     * Reads {@code count} consecutive elements starting at element {@code first} (row-major order),
     * widened to float32. Only float dtypes can be read this way.
     */
    void readFloats(long first, float[] dst, int dstOffset, int count);

    /** Copies raw little-endian bytes of the data, starting {@code byteOffset} bytes into the tensor. */
    void readBytes(long byteOffset, byte[] dst, int dstOffset, int length);

    /** Reads row {@code row} of the 2-D view (rows × last dimension) into {@code dst} (length ≥ cols). */
    default float[] readRow(long row, float[] dst) {
        int cols = (int) info().cols();
        readFloats(row * cols, dst, 0, cols);
        return dst;
    }

    /** Reads {@code count} rows starting at {@code firstRow} into {@code dst}, row-major. */
    default void readRows(long firstRow, int count, float[] dst) {
        long cols = info().cols();
        readFloats(firstRow * cols, dst, 0, Math.toIntExact(count * cols));
    }

    /** The whole tensor as one float32 array; refused above 2^31 − 1 elements. */
    default float[] toFloatArray() {
        long n = info().numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(info().name() + " has " + n + " elements: read it by rows");
        }
        float[] out = new float[(int) n];
        readFloats(0, out, 0, (int) n);
        return out;
    }
}
