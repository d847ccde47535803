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
    private TaskRunner() {
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
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, dirs, false));
             ModelDir model = ModelFolder.open(Path.of(spec.model()))) {
            ResolvedPipeline rp = ResolvedPipeline.resolve(spec.settings(threads), plugins, true, false);
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
        }
        return out.iterator();
    }
}
