package dev.swan.api.numeric;

/**
 * A dense row-major float32 matrix, the form in which metrics receive a weight. Backed by one array,
 * so it holds at most 2^31 − 1 elements (every single tensor of current LLMs fits; MoE stacks are
 * sampled first).
 */
public final class FloatMatrix implements MatrixRows {
    private final float[] data;
    private final int rows;
    private final int cols;

    public FloatMatrix(float[] data, int rows, int cols) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(rows + "x" + cols + " does not match " + data.length + " elements");
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    public static FloatMatrix zeros(int rows, int cols) {
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(rows + "x" + cols + " is too large");
        return new FloatMatrix(new float[(int) n], rows, cols);
    }

    /** The backing array (row-major). Metrics must treat it as read-only. */
    public float[] data() {
        return data;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public void readFloats(long first, float[] dst, int dstOffset, int count) {
        System.arraycopy(data, Math.toIntExact(first), dst, dstOffset, count);
    }

    @Override
    public FloatMatrix toMatrix() {
        return this;
    }

    public float get(int r, int c) {
        return data[r * cols + c];
    }
}
