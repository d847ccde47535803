package dev.swan.testkit;

import dev.swan.api.Parameters;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.Parallel;
import dev.swan.toolkit.TensorMetricContext;
import dev.swan.toolkit.model.TensorClassifier;
import java.util.Optional;

/** The context a metric gets from the host, for testing a metric without the launcher. */
public final class StandaloneMetricContext {
    private StandaloneMetricContext() {
    }

    /**
     * A context for one matrix: the tensor class from the name (as a 2-D weight), the metric's default
     * parameters, no quantizers, the given seed and threads.
     */
    public static TensorMetricContext of(String tensorName, SensitivityMetric metric, MatrixRows weight,
                                         long seed, Parallel parallel) {
        return new TensorMetricContext(tensorName, TensorClassifier.classify(tensorName, 2),
                Parameters.resolve(metric.id(), metric.parameters(), null, "defaults"), seed, parallel, weight,
                spec -> Optional.empty());
    }
}
