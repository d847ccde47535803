package dev.swan.spark;

import dev.swan.api.model.ModelDir;
import dev.swan.launcher.pipeline.MetricChoice;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every executor needs to measure exactly as the driver would: the model (a folder on storage every
 * node mounts, or a Hadoop file system URI), the metrics with their resolved parameters and weights, the
 * seed, the target format (whose candidate encodings some metrics measure) and extra plugin folders. Sent
 * with every task.
 *
 * @param slotsPerExecutor tasks one executor runs at once (they share its heap), 0 when the executor's
 *                         cores tell
 * @param hadoop           the driver's spark.hadoop.* settings (prefix removed), for a model at a URI
 */
record JobSpec(String model, String format, Map<String, Object> formatOptions, List<Metric> metrics, long seed,
               List<String> pluginDirs, int slotsPerExecutor, Map<String, String> hadoop) implements Serializable {

    /** One metric as the driver resolved it: every parameter explicit, so executors cannot differ. */
    record Metric(String id, double weight, Map<String, Object> parameters) implements Serializable {
    }

    /**
     * @param pluginFolders the driver's plugin folders (distribution, user, --plugins): executors load those
     *                      they see at the same path, besides the plugins on their class path (--jars)
     */
    static JobSpec of(ResolvedPipeline rp, ModelDir model, List<Path> pluginFolders, int slotsPerExecutor,
                      Map<String, String> hadoop) {
        List<Metric> metrics = new ArrayList<>();
        for (ResolvedPipeline.ResolvedMetric m : rp.metrics()) {
            metrics.add(new Metric(m.id(), m.weight(), new LinkedHashMap<>(m.parameters().asMap())));
        }
        List<String> dirs = new ArrayList<>();
        for (Path p : pluginFolders) dirs.add(p.toAbsolutePath().toString());
        PipelineSettings s = rp.settings();
        String where = model instanceof HadoopModel ? model.location() : model.path().toAbsolutePath().toString();
        return new JobSpec(where, s.format(), new LinkedHashMap<>(s.formatOptions()), metrics, s.seed(), dirs,
                slotsPerExecutor, new LinkedHashMap<>(hadoop));
    }

    /** Whether the model is read through a Hadoop file system rather than a mounted path. */
    boolean remote() {
        return dev.swan.launcher.pipeline.DistributedAnalysis.isUri(model);
    }

    /**
     * The settings an executor resolves its pipeline from (one thread per task unless spark.task.cpus says
     * more), for the model as it opened it.
     */
    PipelineSettings settings(int threads, Path modelFolder) {
        List<MetricChoice> choices = new ArrayList<>();
        for (Metric m : metrics) choices.add(new MetricChoice(m.id(), m.weight(), m.parameters()));
        List<Path> dirs = new ArrayList<>();
        for (String d : pluginDirs) dirs.add(Path.of(d));
        // the allocator plans on the driver; executors only measure
        return PipelineSettings.defaults().withModel(modelFolder).withFormat(format, formatOptions).withMetrics(choices)
                .withAllocator("threshold", Map.of()).withSeed(seed).withThreads(threads).withPluginDirs(dirs)
                .withSource("spark job");
    }
}
