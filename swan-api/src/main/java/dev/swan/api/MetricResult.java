package dev.swan.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a metric found for one tensor.
 *
 * @param raw     the raw statistic (e.g. spectral concentration c, excess kurtosis κ)
 * @param score   the normalised sensitivity in [0, 1]; higher means more sensitive to quantization
 * @param details further named values worth recording (e.g. a closed-form cross-check); may be empty
 */
public record MetricResult(double raw, double score, Map<String, Double> details) {

    /**
     * A detail any metric may report: the NRMSE of 2-bit, group-32 round-to-nearest quantization of the
     * tensor, which allocators read for 2-bit SQNR vetoes (whichever metric measured it).
     *
     * @since SPI 1.3
     */
    public static final String NRMSE_2BIT_G32 = "nrmse_2bit_g32";


    public MetricResult {
        if (Double.isNaN(score) || score < 0 || score > 1) {
            throw new IllegalArgumentException("score must lie in [0, 1], got " + score);
        }
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static MetricResult of(double raw, double score) {
        return new MetricResult(raw, score, Map.of());
    }

    /** Clamps {@code v} to [0, 1], mapping NaN to 0: the "clip" of the SWAN formulas. */
    public static double clip01(double v) {
        if (Double.isNaN(v)) return 0;
        return Math.max(0, Math.min(1, v));
    }
}
