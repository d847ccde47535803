package dev.swan.api;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;

/**
 * SWAN's pre-processing of a tensor before the metrics run (SWAN paper v2), decided from the shape
 * alone: 1-D tensors and 2-D tensors with a dimension of 1 are skipped ({@code 1d_tensor}), as are tiny
 * tensors below 1024 elements ({@code tiny}) and non-float data ({@code non_float}); a 3-D expert stack
 * [E, a, b] is analysed as its 4 evenly spaced experts (all of them when E ≤ 4) stacked to (4a, b); a
 * tensor of higher rank is flattened to (shape[0], rest).
 *
 * @param skipReason null when the tensor is analysed
 * @param rows       rows of the analysed matrix
 * @param cols       columns of the analysed matrix
 * @param experts    expert indices sampled from a 3-D stack (empty otherwise)
 */
public record AnalysisShape(String skipReason, int rows, int cols, int[] experts) {
    public static final int MIN_ELEMENTS = 1024;
    public static final String SKIP_1D = "1d_tensor";
    public static final String SKIP_TINY = "tiny";
    public static final String SKIP_NON_FLOAT = "non_float";
    public static final String SKIP_TOO_LARGE = "too_large";

    public AnalysisShape {
        experts = experts.clone();
    }

    @Override
    public int[] experts() {
        return experts.clone();
    }

    public boolean analysed() {
        return skipReason == null;
    }

    private static AnalysisShape skip(String reason) {
        return new AnalysisShape(reason, 0, 0, new int[0]);
    }

    public static AnalysisShape of(TensorInfo t) {
        long[] s = t.shape();
        if (!t.dtype().isFloat()) return skip(SKIP_NON_FLOAT);
        if (s.length <= 1 || (s.length == 2 && (s[0] == 1 || s[1] == 1))) return skip(SKIP_1D);
        if (t.numel() < MIN_ELEMENTS) return skip(SKIP_TINY);
        long rows;
        long cols;
        int[] experts = new int[0];
        if (s.length == 2) {
            rows = s[0];
            cols = s[1];
        } else if (s.length == 3) {
            long e = s[0];
            cols = s[2];
            if (e <= 4) {
                rows = e * s[1];
                experts = new int[(int) e];
                for (int i = 0; i < e; i++) experts[i] = i;
            } else {
                experts = new int[4];
                for (int i = 0; i < 4; i++) experts[i] = (int) (i * (e - 1) / 3); // linspace(0, E-1, 4), truncated
                rows = 4 * s[1];
            }
        } else {
            rows = s[0];
            cols = t.numel() / s[0];
        }
        if (rows * cols > Integer.MAX_VALUE - 8) return skip(SKIP_TOO_LARGE);
        return new AnalysisShape(null, (int) rows, (int) cols, experts);
    }

    /** Reads the analysed matrix as float32 (the one copy a tensor's analysis needs). */
    public FloatMatrix load(TensorData data) {
        if (!analysed()) throw new IllegalStateException("tensor is skipped: " + skipReason);
        float[] out = new float[rows * cols];
        TensorInfo t = data.info();
        if (t.rank() == 3) {
            long a = t.dim(1);
            long perExpert = a * t.dim(2);
            int off = 0;
            for (int e : experts) {
                data.readFloats(e * perExpert, out, off, (int) perExpert);
                off += (int) perExpert;
            }
        } else {
            data.readFloats(0, out, 0, out.length);
        }
        return new FloatMatrix(out, rows, cols);
    }
}
