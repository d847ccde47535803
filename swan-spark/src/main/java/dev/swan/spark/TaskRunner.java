package dev.swan.spark;

import dev.swan.api.OutputFormat;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.pipeline.AnalysisEngine;
import dev.swan.launcher.pipeline.Pipeline;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.toolkit.model.ModelFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;

/**
 * The executor side: opens the model and the plugins once per partition, measures each task with the
 * local engine, and returns every result as one JSON line (the journal's form).
 */
final class TaskRunner {
    /**
     * The plugins of each folder list, loaded once per executor JVM and kept: a registry loaded per task
     * would give every task freshly loaded, interpreted plugin code (on 2 cores that cost a third of the
     * run). Plugins are stateless, so sharing them changes no result; this is the job's one piece of
     * process-wide state, and it only ever grows by one entry per distinct folder list.
     */
    private static final java.util.concurrent.ConcurrentHashMap<List<Path>, PluginRegistry> PLUGINS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Models read through a Hadoop file system, opened once per executor JVM and kept for the same reason
     * (mirroring every shard's header per task would read the headers of the whole model per tensor).
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, ModelDir> REMOTE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private TaskRunner() {
    }

    /** Closes the model (deleting its local mirror) when the executor JVM ends. */
    private static ModelDir keptUntilExit(ModelDir model) {
        Runtime.getRuntime().addShutdownHook(new Thread(model::close, "swan-remote-model-cleanup"));
        return model;
    }

    static Iterator<String> run(JobSpec spec, Iterator<TaskDescriptor> tasks) {
        List<String> out = new ArrayList<>();
        if (!tasks.hasNext()) return out.iterator();
        List<Path> dirs = new ArrayList<>();
        for (String d : spec.pluginDirs()) if (java.nio.file.Files.isDirectory(Path.of(d))) dirs.add(Path.of(d));
        TaskContext tc = TaskContext.get();
        int threads = tc == null ? 1 : Math.max(1, tc.cpus());
        int slots = spec.slotsPerExecutor() > 0 ? spec.slotsPerExecutor()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / threads);
        PluginRegistry plugins = PLUGINS.computeIfAbsent(List.copyOf(dirs),
                d -> PluginRegistry.load(new PluginRegistry.Sources(true, d, false)));
        ModelDir model = spec.remote()
                ? REMOTE.computeIfAbsent(spec.model() + " " + spec.hadoop(),
                        k -> keptUntilExit(HadoopModel.open(spec.model(), spec.hadoop())))
                : ModelFolder.open(Path.of(spec.model()));
        try {
            ResolvedPipeline rp = ResolvedPipeline.resolve(spec.settings(threads, model.path()), plugins, true, false);
            List<OutputFormat> formats = new ArrayList<>();
            for (LoadedPlugin<OutputFormat> f : plugins.formats()) formats.add(f.plugin());
            // the executor's heap is shared by the tasks it runs at once
            long budget = AnalysisEngine.defaultMemoryBudget() / slots;
            try (AnalysisEngine engine = new AnalysisEngine(rp.metrics(), formats, spec.seed(), threads, budget,
                    new Pipeline(plugins).encodings(rp, model.config()))) {
                while (tasks.hasNext()) {
                    AnalysisEngine.Task task = tasks.next().resolve(model);
                    for (AnalysisEngine.Measured m : engine.measure(model, task).values()) out.add(m.toJson());
                }
            }
        } finally {
            if (!spec.remote()) model.close();
        }
        return out.iterator();
    }
}
