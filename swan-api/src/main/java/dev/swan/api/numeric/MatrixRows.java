package dev.swan.api.numeric;

/**
 * A row-major float32 matrix that is read rather than held: the form in which metrics that never need
 * the whole weight at once receive it (see {@link dev.swan.api.SensitivityMetric#measureRows}). The host
 * backs it by the model file (each read decodes the stored type) or by a {@link FloatMatrix} it already
 * holds; both give the same values. Reads are thread-safe.
 *
 * <p>Blocked algorithms cut the matrix with {@link #blockRows()}, which depends on the shape only, so a
 * result never depends on whether the matrix was in memory, on the heap size or on the thread count.
 *
 * @since SPI 1.4
 */
public interface MatrixRows {
    /** Elements in one block of rows (16 MiB of float32): the unit of memory of a streamed pass. */
    int BLOCK_ELEMENTS = 1 << 22;

    int rows();

    int cols();

    default long size() {
        return (long) rows() * cols();
    }

    /** Reads {@code count} consecutive elements from element {@code first} (row-major) into {@code dst}. */
    void readFloats(long first, float[] dst, int dstOffset, int count);

    /** Reads rows {@code [firstRow, firstRow + count)} into {@code dst} from index 0. */
    default void readRows(int firstRow, int count, float[] dst) {
        readFloats((long) firstRow * cols(), dst, 0, Math.multiplyExact(count, cols()));
    }

    /** Rows per block: as many whole rows as fit in {@link #BLOCK_ELEMENTS}, at least one. */
    default int blockRows() {
        return Math.max(1, Math.min(rows(), BLOCK_ELEMENTS / Math.max(1, cols())));
    }

    /** The whole matrix as a float copy (or itself, when it is one): for metrics that need random access. */
    default FloatMatrix toMatrix() {
        FloatMatrix m = FloatMatrix.zeros(rows(), cols());
        readFloats(0, m.data(), 0, m.data().length);
        return m;
    }
}
