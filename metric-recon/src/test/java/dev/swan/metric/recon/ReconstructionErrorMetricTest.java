package dev.swan.metric.recon;

import dev.swan.toolkit.TensorMetricContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.MetricResult;
import dev.swan.api.Parameters;
import dev.swan.api.Quantizer;
import dev.swan.testkit.StandaloneMetricContext;
import dev.swan.toolkit.model.TensorClassifier;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.Matrices;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class ReconstructionErrorMetricTest {
    private static final ReconstructionErrorMetric METRIC = new ReconstructionErrorMetric();

    private static MetricResult measure(FloatMatrix w, Map<String, Object> params) {
        TensorMetricContext ctx = StandaloneMetricContext.of("t", METRIC, w, 1, Parallel.of(new ForkJoinPool(2)));
        return METRIC.measure(w, ctx.withParameters(Parameters.resolve("recon", METRIC.parameters(), params, "test")));
    }

    /** Appendix B: NRMSE 0.0998 Gaussian, 0.170 Student-t(3), 0.101 rank-8 + noise; all saturate to score 1. */
    @Test
    void appendixBSanityValues() {
        MetricResult g = measure(Matrices.gaussian(1024, 4096, 1), Map.of());
        assertEquals(0.0998, g.raw(), 0.002, "2M groups: sampling error well below 1%");
        assertEquals(1.0, g.score());
        MetricResult low = measure(Matrices.rank8PlusNoise(1024, 4096, 2), Map.of());
        assertEquals(0.101, low.raw(), 0.003);
        MetricResult t = measure(Matrices.studentT3(1024, 4096, 3), Map.of());
        assertEquals(0.170, t.raw(), 0.02, "heavy tails: the worst groups vary between draws");
        assertEquals(1.0, t.score());
    }

    /** A hand-checkable group: 0..15 quantizes exactly; the error is then zero. */
    @Test
    void exactGridHasNoError() {
        float[] a = new float[16 * 128];
        for (int i = 0; i < a.length; i++) a[i] = (i % 16);
        assertEquals(0.0, measure(new FloatMatrix(a, 16, 128), Map.of()).raw(), 1e-9);
    }

    /** Padding: with 100 columns the padded zeros widen the group range; trimming ignores their error. */
    @Test
    void paddingSemantics() {
        FloatMatrix w = Matrices.gaussian(64, 100, 4);
        MetricResult zeros = measure(w, Map.of());
        MetricResult trim = measure(w, Map.of("padding", "trim"));
        MetricResult g100 = measure(w, Map.of("group_size", 100));
        assertTrue(zeros.raw() >= trim.raw());
        assertTrue(trim.raw() > 0 && g100.raw() > 0);
    }

    @Test
    void realQuantizerOptionAndFallback() {
        FloatMatrix w = Matrices.gaussian(64, 256, 4);
        Quantizer identity = new Quantizer() {
            public String spec() {
                return "fake:exact";
            }

            public int blockSize() {
                return 128;
            }

            public void roundTrip(float[] row, float[] out) {
                System.arraycopy(row, 0, out, 0, row.length);
            }
        };
        TensorMetricContext ctx = new TensorMetricContext("t", TensorClassifier.classify("t", 2),
                Parameters.resolve("recon", METRIC.parameters(), Map.of("quantizer", "fake:exact"), "test"), 1,
                Parallel.sequential(), w, spec -> spec.equals("fake:exact") ? Optional.of(identity) : Optional.empty());
        assertEquals(0.0, METRIC.measure(w, ctx).raw());
        FloatMatrix odd = Matrices.gaussian(64, 100, 4);
        TensorMetricContext oddCtx = new TensorMetricContext("t", TensorClassifier.classify("t", 2),
                ctx.parameters(), 1, Parallel.sequential(), odd, spec -> Optional.of(identity));
        MetricResult fb = METRIC.measure(odd, oddCtx);
        assertEquals(1.0, fb.details().get("fallback"));
        assertThrows(IllegalArgumentException.class, () -> measure(w, Map.of("quantizer", "nope:1")));
    }

    /** Read block by block (as a tensor too large to copy is), the same bits as in memory. */
    @Test
    void streamedRowsGiveTheSameResult() {
        FloatMatrix w = Matrices.studentT3(700, 320, 9);
        var params = Map.<String, Object>of("measure_2bit", true);
        TensorMetricContext ctx = StandaloneMetricContext.of("model.layers.0.mlp.up_proj.weight", METRIC, w, 1,
                Parallel.of(new ForkJoinPool(2))).withParameters(Parameters.resolve("recon", METRIC.parameters(), params, "test"));
        MetricResult whole = METRIC.measure(w, ctx);
        MetricResult streamed = METRIC.measureRows(Matrices.streamed(w), ctx);
        assertEquals(whole, streamed);
    }
}
