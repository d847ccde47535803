package dev.swan.toolkit;

import dev.swan.api.Encoding;
import dev.swan.api.MetricContext;
import dev.swan.api.Parameters;
import dev.swan.api.Quantizer;
import dev.swan.api.model.TensorClass;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.api.numeric.TensorStats;
import java.util.Optional;
import java.util.function.Function;

/**
 * A complete {@link MetricContext} for one tensor, as the host gives it to every metric (plugin authors
 * get one for tests from the testkit). Statistics are computed on first use and then shared.
 */
public final class TensorMetricContext implements MetricContext {
    private final String tensorName;
    private final TensorClass tensorClass;
    private final Parameters parameters;
    private final long globalSeed;
    private final Parallel parallel;
    private final MatrixRows weight;
    private final Function<String, Optional<Quantizer>> quantizers;
    private final java.util.List<Encoding> encodings;
    /** Shared by every copy made with {@link #withParameters}, so the statistics pass runs once per tensor. */
    private final TensorStats[] stats;

    public TensorMetricContext(String tensorName, TensorClass tensorClass, Parameters parameters, long globalSeed,
                                   Parallel parallel, MatrixRows weight,
                                   Function<String, Optional<Quantizer>> quantizers) {
        this(tensorName, tensorClass, parameters, globalSeed, parallel, weight, quantizers, java.util.List.of());
    }

    /** As above, with the target format's candidate encodings for this tensor. */
    public TensorMetricContext(String tensorName, TensorClass tensorClass, Parameters parameters, long globalSeed,
                                   Parallel parallel, MatrixRows weight,
                                   Function<String, Optional<Quantizer>> quantizers, java.util.List<Encoding> encodings) {
        this.encodings = java.util.List.copyOf(encodings);
        this.tensorName = tensorName;
        this.tensorClass = tensorClass;
        this.parameters = parameters;
        this.globalSeed = globalSeed;
        this.parallel = parallel;
        this.weight = weight;
        this.quantizers = quantizers;
        this.stats = new TensorStats[1];
    }

    private TensorMetricContext(TensorMetricContext base, Parameters parameters) {
        this.tensorName = base.tensorName;
        this.tensorClass = base.tensorClass;
        this.parameters = parameters;
        this.globalSeed = base.globalSeed;
        this.parallel = base.parallel;
        this.weight = base.weight;
        this.quantizers = base.quantizers;
        this.encodings = base.encodings;
        this.stats = base.stats;
    }

    /** The same context with other parameters for the metric. */
    public TensorMetricContext withParameters(Parameters p) {
        return new TensorMetricContext(this, p);
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
    public TensorStats stats() {
        synchronized (stats) {
            if (stats[0] == null) stats[0] = TensorStats.of(weight, parallel);
            return stats[0];
        }
    }

    @Override
    public Parallel parallel() {
        return parallel;
    }

    @Override
    public Optional<Quantizer> quantizer(String spec) {
        return quantizers.apply(spec);
    }

    @Override
    public java.util.List<Encoding> encodings() {
        return encodings;
    }
}
