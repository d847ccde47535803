package dev.swan.api;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;

/**
 * A data-free sensitivity metric: a pure function from one weight matrix (plus parameters and a seed)
 * to a raw value and a score in [0, 1]. The launcher has already applied SWAN's pre-processing (1-D and
 * tiny tensors skipped, MoE stacks sampled, higher ranks flattened), so {@code weight} is always 2-D
 * with at least 1024 elements.
 *
 * <p>Minimal example (the fraction of weights beyond 6 standard deviations):
 * <pre>{@code
 * public final class OutlierMetric implements SensitivityMetric {
 *     public String id() { return "outliers"; }
 *     public String description() { return "share of weights beyond 6 sigma"; }
 *     public String spiVersion() { return SpiVersion.CURRENT; }
 *     public MetricResult measure(FloatMatrix w, MetricContext ctx) {
 *         TensorStats s = ctx.stats();                      // mean and std, shared by all metrics
 *         long n = 0;
 *         for (float v : w.data()) if (Math.abs(v - s.mean()) > 6 * s.std()) n++;
 *         double share = (double) n / w.size();
 *         return MetricResult.of(share, MetricResult.clip01(share * 1000));
 *     }
 * }
 * }</pre>
 * Register it in {@code META-INF/services/dev.swan.api.SensitivityMetric}.
 */
public interface SensitivityMetric extends SwanPlugin {

    /** Measures one weight. Must be deterministic for a given input, parameters and context seed. */
    MetricResult measure(FloatMatrix weight, MetricContext context);

    /**
     * Heap this metric needs beside the float copy of a {@code rows} × {@code cols} matrix (sketches,
     * scratch), so the host can size how many tensors it measures at once; none by default.
     *
     * @since SPI 1.3
     */
    default long workingBytes(int rows, int cols, Parameters parameters) {
        return 0;
    }

    /**
     * Measures a weight the host reads by rows. Metrics that can work block by block override this and
     * {@link #readsRows()}, so the host never copies a large tensor whole (their {@link #workingBytes}
     * then counts the blocks too); the default takes the float copy and calls {@link #measure}. Must give
     * exactly what {@link #measure} gives on the same values.
     *
     * @since SPI 1.4
     */
    default MetricResult measureRows(MatrixRows weight, MetricContext context) {
        return measure(weight.toMatrix(), context);
    }

    /**
     * True when {@link #measureRows} reads the weight by rows and never takes the whole float copy.
     *
     * @since SPI 1.4
     */
    default boolean readsRows() {
        return false;
    }
}
