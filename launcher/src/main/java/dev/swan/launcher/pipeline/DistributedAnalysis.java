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

    /**
     * Opens, for planning on this machine, a model at a URI only this engine reads (e.g. {@code hdfs://} or
     * {@code s3a://}); its tasks read the weights the same way. Empty when the engine reads local paths only.
     */
    default java.util.Optional<ModelDir> openRemote(String uri) {
        return java.util.Optional.empty();
    }

    /** Whether a model argument is a URI ({@code scheme:/...}, a scheme of two letters or more) rather than a path. */
    static boolean isUri(String location) {
        return location.matches("[A-Za-z][A-Za-z0-9+.-]+:/.*");
    }
}
