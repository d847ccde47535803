package dev.swan.api;

import dev.swan.api.model.TensorClass;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.Optional;

/**
 * Everything a metric may use besides the weight itself. Handed out per tensor; metrics must not keep it.
 */
public interface MetricContext {

    /** Name of the tensor being measured. */
    String tensorName();

    TensorClass tensorClass();

    /** The metric's resolved parameters. */
    Parameters parameters();

    /**
     * A generator seeded from the global seed, the tensor name and {@code stream} (use one stream name
     * per independent draw, e.g. "probes" and "noise"). Same inputs, same numbers, on every run.
     */
    SeededRandom random(String stream);

    /** The seed behind {@link #random(String)}, for metrics that derive per-row generators. */
    long seed(String stream);

    /** Mean, variance, kurtosis, range and rms of the weight, computed once for all metrics. */
    dev.swan.api.numeric.TensorStats stats();

    /** The thread budget for this tensor. */
    Parallel parallel();

    /**
     * A quantizer offered by an installed output format (e.g. {@code mlx:4:64}, {@code gguf:Q4_K}), for
     * metrics that measure error with the real target quantizer; empty when no format provides it.
     */
    Optional<Quantizer> quantizer(String spec);

    /**
     * How the target output format can store this tensor, with exact byte costs (see {@link
     * OutputFormat#encodings}), for metrics that measure each candidate's real error; empty when the
     * pipeline has no target format or the format offers no choice.
     */
    default java.util.List<Encoding> encodings() {
        return java.util.List.of();
    }
}
