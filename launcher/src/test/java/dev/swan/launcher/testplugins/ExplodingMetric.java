package dev.swan.launcher.testplugins;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;

/**
 * A test metric that fails on tensors whose name contains the system property {@code swan.test.explodeAt}
 * (and otherwise scores 0): simulates a crashing third-party plugin and an interrupted analysis.
 */
public final class ExplodingMetric implements SensitivityMetric {
    @Override
    public String id() {
        return "explode";
    }

    @Override
    public String description() {
        return "test metric that throws on demand";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public MetricResult measure(FloatMatrix weight, MetricContext context) {
        String at = System.getProperty("swan.test.explodeAt", "");
        if (!at.isEmpty() && context.tensorName().contains(at)) {
            throw new IllegalStateException("boom on purpose");
        }
        return MetricResult.of(0, 0);
    }
}
