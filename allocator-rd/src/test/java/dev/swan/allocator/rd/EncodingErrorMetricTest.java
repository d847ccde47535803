package dev.swan.allocator.rd;

import dev.swan.toolkit.TensorMetricContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.Encoding;
import dev.swan.api.MetricResult;
import dev.swan.api.Parameters;
import dev.swan.api.Quantizer;
import dev.swan.testkit.StandaloneMetricContext;
import dev.swan.toolkit.model.TensorClassifier;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The measured error is the quantizer's own relative squared error, on every row or a seeded sample of rows. */
class EncodingErrorMetricTest {
    /** Rounds to a grid of step 2^-bits: error known in closed form per element. */
    static Quantizer grid(String spec, int bits) {
        double step = Math.pow(2, -bits);
        return Quantizer.of(spec, 32, (row, out) -> {
            for (int i = 0; i < row.length; i++) out[i] = (float) (Math.rint(row[i] / step) * step);
        });
    }

    static MetricResult measure(FloatMatrix w, int sample) {
        EncodingErrorMetric m = new EncodingErrorMetric();
        List<Encoding> enc = List.of(new Encoding("F16", 16, 0, 0, ""), new Encoding("g4", 4, 32, 0, "grid:4"),
                new Encoding("g8", 8, 32, 0, "grid:8"));
        TensorMetricContext ctx = new TensorMetricContext("model.layers.0.mlp.up_proj.weight",
                TensorClassifier.classify("model.layers.0.mlp.up_proj.weight", 2),
                Parameters.resolve("qerror", m.parameters(), Map.of("sample_elements", sample), "test"), 42,
                Parallel.sequential(), w, spec -> Optional.of(grid(spec, Integer.parseInt(spec.substring(5)))), enc);
        return m.measure(w, ctx);
    }

    static FloatMatrix random(int rows, int cols) {
        SeededRandom r = new SeededRandom(3);
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        return new FloatMatrix(a, rows, cols);
    }

    @Test
    void wholeTensorErrorEqualsTheDirectComputation() {
        FloatMatrix w = random(64, 128);
        MetricResult r = measure(w, 1 << 20);
        for (int bits : new int[] {4, 8}) {
            double err = 0, en = 0;
            double step = Math.pow(2, -bits);
            for (float v : w.data()) {
                double d = Math.rint(v / step) * step - v;
                err += d * d;
                en += (double) v * v;
            }
            assertEquals(err / en, r.details().get("rel:g" + bits), 1e-9 * err / en);
        }
        assertFalse(r.details().containsKey("rel:F16"), "floats have no error to measure");
        assertTrue(r.details().get("rel:g4") > r.details().get("rel:g8") * 100);
    }

    @Test
    void sampledRowsAreSeededAndClose() {
        FloatMatrix w = random(512, 128);
        MetricResult all = measure(w, 1 << 20);
        MetricResult some = measure(w, 128 * 64);
        assertEquals(some.details(), measure(w, 128 * 64).details(), "same seed, same rows");
        assertEquals(all.details().get("rel:g4"), some.details().get("rel:g4"), 0.05 * all.details().get("rel:g4"));
        int[] rows = EncodingErrorMetric.sampleRows(512, 128, 128 * 64, new SeededRandom(1));
        assertEquals(64, rows.length);
        for (int i = 1; i < rows.length; i++) assertTrue(rows[i] > rows[i - 1], "sorted, distinct");
        assertArrayEquals(rows, EncodingErrorMetric.sampleRows(512, 128, 128 * 64, new SeededRandom(1)));
    }
}
