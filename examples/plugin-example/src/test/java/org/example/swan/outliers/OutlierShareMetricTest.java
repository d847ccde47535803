package org.example.swan.outliers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.MetricResult;
import dev.swan.testkit.StandaloneMetricContext;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tests a metric without swan's launcher: the testkit's StandaloneMetricContext supplies parameters, seed and statistics. */
class OutlierShareMetricTest {
    private final OutlierShareMetric metric = new OutlierShareMetric();

    private MetricResult measure(float[] w) {
        FloatMatrix m = new FloatMatrix(w, 256, w.length / 256);
        return metric.measure(m, StandaloneMetricContext.of("layers.0.mlp.up_proj.weight", metric, m, 42, Parallel.sequential()));
    }

    @Test
    void gaussianWeightsHaveNoOutliers() {
        Random r = new Random(1);
        float[] w = new float[256 * 1024];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        MetricResult res = measure(w);
        assertEquals(0.0, res.raw());
        assertEquals(0.0, res.score());
    }

    @Test
    void plantedOutliersAreCounted() {
        Random r = new Random(2);
        float[] w = new float[256 * 1024];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < 131; i++) w[i * 2000] = 50f;
        MetricResult res = measure(w);
        assertEquals(131.0 / w.length, res.raw(), 1e-12);
        assertTrue(res.score() > 0.49 && res.score() < 0.51, "share 0.05% of the 0.1% full scale: " + res.score());
    }
}
