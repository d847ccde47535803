package dev.swan.metric.kurtosis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.MetricResult;
import dev.swan.testkit.StandaloneMetricContext;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.Matrices;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class KurtosisMetricTest {
    private static final KurtosisMetric METRIC = new KurtosisMetric();

    private static MetricResult measure(FloatMatrix w, Parallel par) {
        return METRIC.measure(w, StandaloneMetricContext.of("t", METRIC, w, 1, par));
    }

    /**
     * Appendix B: κ ≈ 0.00 Gaussian (standard error √(24/N) ≈ 0.0024 for N = 4M, checked ±0.01), 0.85 for
     * rank-8 + noise (a sum of 8 Gaussian products; ±0.1 between draws), and 413 for Student-t(3), whose
     * fourth moment is infinite: any draw is far above 10, so the check is score = 1.
     */
    @Test
    void appendixBSanityValues() {
        Parallel par = Parallel.of(new ForkJoinPool(2));
        MetricResult g = measure(Matrices.gaussian(1024, 4096, 1), par);
        assertEquals(0.0, g.raw(), 0.01);
        assertEquals(0.0, g.score(), 0.001);
        MetricResult low = measure(Matrices.rank8PlusNoise(1024, 4096, 2), par);
        assertEquals(0.85, low.raw(), 0.1);
        assertEquals(0.085, low.score(), 0.01);
        MetricResult t = measure(Matrices.studentT3(1024, 4096, 3), par);
        assertTrue(t.raw() > 50, "heavy tails: " + t.raw());
        assertEquals(1.0, t.score());
    }

    @Test
    void constantTensorAndThreadCounts() {
        float[] c = new float[2048];
        java.util.Arrays.fill(c, 3f);
        assertEquals(0.0, measure(new FloatMatrix(c, 32, 64), Parallel.sequential()).raw());
        FloatMatrix w = Matrices.studentT3(300, 700, 4);
        assertEquals(measure(w, Parallel.sequential()), measure(w, Parallel.of(new ForkJoinPool(2))));
    }
}
