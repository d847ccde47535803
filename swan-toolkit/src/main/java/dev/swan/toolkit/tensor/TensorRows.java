package dev.swan.toolkit.tensor;

import dev.swan.api.AnalysisShape;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.tensor.TensorData;

/**
 * The matrix a tensor is analysed as ({@link AnalysisShape}), read from the tensor's data on demand:
 * the tensor itself for 2-D and flattened tensors, its sampled experts one after another for a 3-D
 * stack. Nothing is copied until a metric reads a block.
 */
public final class TensorRows implements MatrixRows {
    private final TensorData data;
    private final int rows;
    private final int cols;
    private final int[] experts;
    private final long perExpert;

    public TensorRows(TensorData data, AnalysisShape shape) {
        if (!shape.analysed()) throw new IllegalStateException("tensor is skipped: " + shape.skipReason());
        this.data = data;
        this.rows = shape.rows();
        this.cols = shape.cols();
        boolean stack = data.info().rank() == 3;
        this.experts = stack ? shape.experts() : null;
        this.perExpert = stack ? data.info().dim(1) * data.info().dim(2) : 0;
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
    public void readFloats(long first, float[] dst, int dstOffset, int count) {
        if (first < 0 || count < 0 || first + count > size()) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") outside " + rows + "x" + cols);
        }
        if (experts == null) {
            data.readFloats(first, dst, dstOffset, count);
            return;
        }
        while (count > 0) {
            int slot = (int) (first / perExpert);
            long within = first % perExpert;
            int n = (int) Math.min(count, perExpert - within);
            data.readFloats(experts[slot] * perExpert + within, dst, dstOffset, n);
            first += n;
            dstOffset += n;
            count -= n;
        }
    }
}
