package dev.swan.launcher.pipeline;

import dev.swan.api.ProgressSink;
import dev.swan.api.model.ModelDir;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures every tensor of a model: on this machine ({@link AnalysisEngine}) or spread over a cluster
 * (a {@link DistributedAnalysis}). Either gives the same results, since each tensor's analysis is a pure
 * function of the tensor, the metric parameters and the seed.
 */
public interface TensorAnalyzer extends AutoCloseable {

    /**
     * Analyses every tensor not in {@code done}; each result goes to {@code sink} as soon as it is known
     * (the journal appends it), and the full list comes back in model order.
     */
    List<AnalysisEngine.Measured> analyze(ModelDir model, Map<String, AnalysisEngine.Measured> done,
                                          Consumer<AnalysisEngine.Measured> sink, ProgressSink progress);

    @Override
    void close();
}
