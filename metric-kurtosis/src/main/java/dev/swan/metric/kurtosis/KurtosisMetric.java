package dev.swan.metric.kurtosis;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.TensorStats;
import java.util.List;
import java.util.Map;

/**
 * SWAN metric 2, excess kurtosis (SWAN paper v2): population κ = N·Σ(x−μ)⁴ / (Σ(x−μ)²)² − 3 over the
 * whole (expert-sampled) tensor, accumulated in double; score clip(κ/10). Fewer than 4 elements or a
 * variance below 1e-12 give 0. The moments come from the shared one-pass statistics of the context.
 */
public final class KurtosisMetric implements SensitivityMetric {

    @Override
    public String id() {
        return "kurtosis";
    }

    @Override
    public String description() {
        return "Excess kurtosis of the weights (heavy tails)";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(ParameterSpec.ofDouble("score_scale", 10.0, "kurtosis mapped to score 1 (score = clip(k / scale))").withRange(1e-9, 1e12));
    }

    private static Map<String, Double> details(double std, double mean) {
        Map<String, Double> d = new java.util.LinkedHashMap<>();
        d.put("std", std);
        d.put("mean", mean);
        return d;
    }

    @Override
    public MetricResult measure(FloatMatrix w, MetricContext ctx) {
        return measureRows(w, ctx);
    }

    /** The moments come from the context's statistics pass: nothing to read here. */
    @Override
    public boolean readsRows() {
        return true;
    }

    @Override
    public MetricResult measureRows(MatrixRows w, MetricContext ctx) {
        TensorStats s = ctx.stats();
        double kappa = s.excessKurtosis();
        double scale = ctx.parameters().getDouble("score_scale");
        return new MetricResult(kappa, MetricResult.clip01(kappa / scale),
                details(s.std(), s.mean()));
    }
}
