package org.example.swan.outliers;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.TensorStats;
import java.util.List;

/**
 * A simple outlier measure: the share of weights more than {@code sigmas} standard deviations from the
 * mean. A Gaussian tensor has about 2·10⁻⁹ of them beyond 6σ; heavy-tailed tensors far more. The score
 * maps the share linearly onto [0, 1], reaching 1 at {@code full_scale_share}.
 */
public final class OutlierShareMetric implements SensitivityMetric {

    @Override
    public String id() {
        return "outliers";
    }

    @Override
    public String description() {
        return "Share of weights beyond 6 standard deviations (example plugin)";
    }

    /** Compiled in: tells swan which SPI this plugin was built against. */
    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofDouble("sigmas", 6.0, "distance from the mean, in standard deviations"),
                ParameterSpec.ofDouble("full_scale_share", 0.001, "share of outliers that scores 1"));
    }

    @Override
    public MetricResult measure(FloatMatrix weight, MetricContext ctx) {
        TensorStats s = ctx.stats(); // mean and std of the whole tensor, computed once by swan
        double limit = ctx.parameters().getDouble("sigmas") * s.std();
        float[] w = weight.data();
        long outliers = 0;
        for (float v : w) {
            if (Math.abs(v - s.mean()) > limit) outliers++;
        }
        double share = (double) outliers / w.length;
        return MetricResult.of(share, MetricResult.clip01(share / ctx.parameters().getDouble("full_scale_share")));
    }
}
