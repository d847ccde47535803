package dev.swan.toolkit.numeric;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.Parallel;

/**
 * The products of {@link MatMul} on a matrix read block by block ({@link MatrixRows#blockRows()} rows at
 * a time), so a weight of any size needs one block of float32 beside the operands. Every result is
 * exactly the in-memory product's: rows of a·x do not depend on their neighbours, and aᵀ·x and the Gram
 * matrices continue each element's sum in the same order from block to block.
 */
public final class RowBlocks {
    /** Rows read by one task when a block is read in parallel. */
    private static final int READ_ROWS = 64;
    /** Rows (or columns) converted to double at a time for the Gram products, as {@link MatMul} does. */
    private static final int GRAM_CHUNK = 256;

    private RowBlocks() {
    }

    /** Rows of an operand that is never stored whole, e.g. a Gaussian sketch drawn row by row. */
    @FunctionalInterface
    public interface RowSupplier {
        /** Writes rows {@code [firstRow, firstRow + count)} into {@code dst} from index 0. */
        void rows(int firstRow, int count, float[] dst);
    }

    /** The rows of a row-major array of {@code q} columns. */
    public static RowSupplier rowsOf(float[] x, int q) {
        return (r0, count, dst) -> System.arraycopy(x, r0 * q, dst, 0, count * q);
    }

    /** Reads rows {@code [r0, r0 + count)} of {@code a} into {@code buf}, several tasks at a time. */
    public static void read(MatrixRows a, int r0, int count, float[] buf, Parallel par) {
        int cols = a.cols();
        if (a instanceof FloatMatrix m) {
            System.arraycopy(m.data(), r0 * cols, buf, 0, count * cols);
            return;
        }
        int tasks = (count + READ_ROWS - 1) / READ_ROWS;
        par.forEach(tasks, t -> {
            int first = t * READ_ROWS;
            int rows = Math.min(READ_ROWS, count - first);
            a.readFloats((long) (r0 + first) * cols, buf, first * cols, rows * cols);
        });
    }

    /** c[m×q] = a · x, with x[n×q]. */
    public static void multiply(MatrixRows a, float[] x, int q, float[] c, Parallel par) {
        int m = a.rows();
        int n = a.cols();
        if (a instanceof FloatMatrix w) {
            MatMul.multiply(w.data(), m, n, x, q, c, par);
            return;
        }
        int br = a.blockRows();
        float[] buf = new float[br * n];
        float[] out = new float[br * q];
        for (int r0 = 0; r0 < m; r0 += br) {
            int rows = Math.min(br, m - r0);
            read(a, r0, rows, buf, par);
            MatMul.multiply(buf, rows, n, x, q, out, par);
            System.arraycopy(out, 0, c, r0 * q, rows * q);
        }
    }

    /** c[n×q] = aᵀ · x, with x[m×q] given row block by row block. */
    public static void multiplyTransposed(MatrixRows a, RowSupplier x, int q, float[] c, Parallel par) {
        int m = a.rows();
        int n = a.cols();
        int br = a.blockRows();
        boolean inMemory = a instanceof FloatMatrix;
        float[] buf = inMemory ? null : new float[br * n];
        float[] xs = new float[br * q];
        java.util.Arrays.fill(c, 0, n * q, 0f);
        for (int r0 = 0; r0 < m; r0 += br) {
            int rows = Math.min(br, m - r0);
            x.rows(r0, rows, xs);
            float[] block;
            if (inMemory) {
                block = java.util.Arrays.copyOfRange(((FloatMatrix) a).data(), r0 * n, (r0 + rows) * n);
            } else {
                read(a, r0, rows, buf, par);
                block = buf;
            }
            MatMul.kernels().multiplyTransposedAdd(block, rows, n, xs, q, c, par);
        }
    }

    /** g[n×n] = aᵀ · a in double (the column Gram of a tall matrix), as {@link MatMul#gram}. */
    public static double[] gram(MatrixRows a, Parallel par) {
        int m = a.rows();
        int n = a.cols();
        if (a instanceof FloatMatrix w) return MatMul.gram(w.data(), m, n, par);
        double[] g = new double[n * n];
        int br = Math.max(GRAM_CHUNK, a.blockRows() / GRAM_CHUNK * GRAM_CHUNK);
        float[] buf = new float[Math.min(br, m) * n];
        double[] d = new double[GRAM_CHUNK * n];
        for (int r0 = 0; r0 < m; r0 += br) {
            int rows = Math.min(br, m - r0);
            read(a, r0, rows, buf, par);
            for (int c0 = 0; c0 < rows; c0 += GRAM_CHUNK) {
                int cr = Math.min(GRAM_CHUNK, rows - c0);
                for (int i = 0; i < cr * n; i++) d[i] = buf[c0 * n + i];
                MatMul.kernels().gramAccumulate(d, cr, n, g, par);
            }
        }
        return g;
    }

    /** g[m×m] = a · aᵀ in double (the row Gram of a wide matrix), as {@link MatMul#rowGram}. */
    public static double[] rowGram(MatrixRows a, Parallel par) {
        int m = a.rows();
        int n = a.cols();
        if (a instanceof FloatMatrix w) return MatMul.rowGram(w.data(), m, n, par);
        double[] g = new double[m * m];
        // a panel: every row's next `width` columns, a multiple of the conversion chunk
        int width = Math.max(GRAM_CHUNK, MatrixRows.BLOCK_ELEMENTS / Math.max(1, m) / GRAM_CHUNK * GRAM_CHUNK);
        width = Math.min(width, n);
        float[] panel = new float[m * width];
        double[] d = new double[GRAM_CHUNK * m];
        for (int k0 = 0; k0 < n; k0 += width) {
            int w = Math.min(width, n - k0);
            int start = k0;
            par.forEach(m, i -> a.readFloats((long) i * n + start, panel, i * w, w));
            for (int c0 = 0; c0 < w; c0 += GRAM_CHUNK) {
                int cols = Math.min(GRAM_CHUNK, w - c0);
                for (int i = 0; i < m; i++) {
                    int po = i * w + c0;
                    for (int k = 0; k < cols; k++) d[k * m + i] = panel[po + k];
                }
                MatMul.kernels().gramAccumulate(d, cols, m, g, par);
            }
        }
        return g;
    }

    /**
     * Runs {@code task} on consecutive blocks of {@code rowsPerTask} rows in parallel, each task reading
     * its own rows into a buffer of its own: the pattern of the row-local metrics (quantization error,
     * noise), whose partial results are then merged in task order.
     */
    public static void forEachRowTask(MatrixRows a, int rowsPerTask, Parallel par, RowTask task) {
        int m = a.rows();
        int n = a.cols();
        int tasks = (m + rowsPerTask - 1) / rowsPerTask;
        par.forEach(tasks, t -> {
            int r0 = t * rowsPerTask;
            int rows = Math.min(rowsPerTask, m - r0);
            float[] buf = new float[rows * n];
            a.readFloats((long) r0 * n, buf, 0, rows * n);
            task.run(t, r0, rows, buf);
        });
    }

    /** One task of {@link #forEachRowTask}: rows {@code [firstRow, firstRow + rows)} in {@code data}. */
    @FunctionalInterface
    public interface RowTask {
        void run(int task, int firstRow, int rows, float[] data);
    }
}
