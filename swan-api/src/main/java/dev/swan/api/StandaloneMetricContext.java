package dev.swan.api;

import dev.swan.api.model.TensorClass;
import dev.swan.api.model.TensorClassifier;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.api.numeric.TensorStats;
import java.util.Optional;
import java.util.function.Function;

/**
 * A complete {@link MetricContext} for one tensor: the launcher uses it, and plugin authors can use it
 * to test a metric without the launcher. Statistics are computed on first use and then shared.
 */
public final class StandaloneMetricContext implements MetricContext {
    private final String tensorName;
    private final TensorClass tensorClass;
    private final Parameters parameters;
    private final long globalSeed;
    private final Parallel parallel;
    private final FloatMatrix weight;
    private final Function<String, Optional<Quantizer>> quantizers;
    private TensorStats stats;

    public StandaloneMetricContext(String tensorName, TensorClass tensorClass, Parameters parameters, long globalSeed,
                                   Parallel parallel, FloatMatrix weight,
                                   Function<String, Optional<Quantizer>> quantizers) {
        this.tensorName = tensorName;
        this.tensorClass = tensorClass;
        this.parameters = parameters;
        this.globalSeed = globalSeed;
        this.parallel = parallel;
        this.weight = weight;
        this.quantizers = quantizers;
    }

    /** A context for tests: 2-D classification from the name, no quantizers, sequential. */
    public static StandaloneMetricContext of(String tensorName, SensitivityMetric metric, FloatMatrix weight,
                                             long seed, Parallel parallel) {
        return new StandaloneMetricContext(tensorName, TensorClassifier.classify(tensorName, 2),
                Parameters.resolve(metric.id(), metric.parameters(), null, "defaults"), seed, parallel, weight,
                spec -> Optional.empty());
    }

    /** The same context with other parameters for the metric. */
    public StandaloneMetricContext withParameters(Parameters p) {
        StandaloneMetricContext c = new StandaloneMetricContext(tensorName, tensorClass, p, globalSeed, parallel, weight,
                quantizers);
        c.stats = stats;
        return c;
    }

    @Override
    public String tensorName() {
        return tensorName;
    }

    @Override
    public TensorClass tensorClass() {
        return tensorClass;
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public SeededRandom random(String stream) {
        return new SeededRandom(seed(stream));
    }

    @Override
    public long seed(String stream) {
        return SeededRandom.seedFor(globalSeed, tensorName, stream);
    }

    @Override
    public synchronized TensorStats stats() {
        if (stats == null) stats = TensorStats.of(weight.data(), parallel);
        return stats;
    }

    @Override
    public Parallel parallel() {
        return parallel;
    }

    @Override
    public Optional<Quantizer> quantizer(String spec) {
        return quantizers.apply(spec);
    }
}
