package dev.swan.metric.svd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.swan.api.MetricResult;
import dev.swan.api.Parameters;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.Matrices;
import dev.swan.testkit.StandaloneMetricContext;
import dev.swan.toolkit.TensorMetricContext;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** Read block by block (as a tensor too large to copy is), the metric gives exactly the in-memory result. */
class SvdStreamedTest {
    private static final SvdConcentrationMetric METRIC = new SvdConcentrationMetric();
    private static final Parallel TWO = Parallel.of(new ForkJoinPool(2));

    private static MetricResult measure(MatrixRows w, Map<String, Object> params) {
        TensorMetricContext ctx = StandaloneMetricContext.of("model.layers.0.mlp.up_proj.weight", METRIC, w, 42, TWO)
                .withParameters(Parameters.resolve("svd", METRIC.parameters(), params, "test"));
        return METRIC.measureRows(w, ctx);
    }

    @Test
    void everyPathGivesTheSameBitsStreamed() {
        Map<String, Object> small = Map.of("rank", 24, "power_iterations", 1);
        // randomized on both sides (tall: basis on the columns, the Gaussian start drawn per block; wide: on
        // the rows), and the exact path's two Gram products, each over two or more blocks
        FloatMatrix[] shapes = {Matrices.gaussian(4200, 1024, 1), Matrices.gaussian(1024, 4200, 2),
                Matrices.gaussian(9000, 480, 3), Matrices.gaussian(480, 9000, 4)};
        for (FloatMatrix w : shapes) {
            MetricResult whole = measure(w, small);
            MetricResult streamed = measure(Matrices.streamed(w), small);
            assertEquals(whole.raw(), streamed.raw(), 0.0, w.rows() + "x" + w.cols());
            assertEquals(whole.details(), streamed.details(), w.rows() + "x" + w.cols());
        }
    }
}
