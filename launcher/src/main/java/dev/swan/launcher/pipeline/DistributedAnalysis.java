package dev.swan.launcher.pipeline;

import dev.swan.api.model.ModelDir;

/**
 * An engine that runs the analysis elsewhere (found with {@link java.util.ServiceLoader}, so the launcher
 * never depends on it): {@code swan analyze --spark MASTER} uses the one whose {@link #id} is "spark".
 * The executors rebuild the pipeline from {@link ResolvedPipeline#settings()} with the same plugins.
 */
public interface DistributedAnalysis {

    /** The engine's name, as in the option that selects it ("spark"). */
    String id();

    /** An analyzer of {@code model} on the cluster at {@code master} for this pipeline. */
    TensorAnalyzer open(String master, ResolvedPipeline pipeline, ModelDir model);
}
