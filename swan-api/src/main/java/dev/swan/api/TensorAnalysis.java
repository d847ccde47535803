package dev.swan.api;

import dev.swan.api.model.TensorClass;
import dev.swan.api.model.TensorRole;
import dev.swan.api.tensor.DType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of analysing one tensor: a pure function of (tensor, metric parameters, seed), so it can be
 * computed anywhere, cached in a manifest and re-used by allocators without re-reading weights.
 *
 * @param name       tensor name
 * @param dtype      stored element type
 * @param shape      stored shape
 * @param tensorClass role, layer and expert from the classifier
 * @param skipReason why metrics were not run ({@link AnalysisShape}), or null
 * @param metrics    results by metric id (empty when skipped)
 */
public record TensorAnalysis(String name, DType dtype, long[] shape, TensorClass tensorClass, String skipReason,
                             Map<String, MetricResult> metrics) {

    public TensorAnalysis {
        shape = shape.clone();
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public TensorRole role() {
        return tensorClass.role();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of parameters. */
    public long params() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Row length (the input dimension of a linear layer). */
    public long cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    public long rows() {
        return params() / Math.max(1, cols());
    }

    public boolean analysed() {
        return skipReason == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorAnalysis t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && tensorClass.equals(t.tensorClass)
                && java.util.Objects.equals(skipReason, t.skipReason) && metrics.equals(t.metrics);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + metrics.hashCode();
    }
}
