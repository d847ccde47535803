package dev.swan.launcher;

import dev.swan.api.model.ModelDir;
import dev.swan.launcher.pipeline.AnalysisEngine;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.toolkit.model.HubCache;
import dev.swan.toolkit.model.ModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The heap {@code bin/swan} gives a command that measures a model, printed as JVM flags (nothing when it
 * cannot tell, and the JVM's default applies). Tensors too large for a worker's share are read block by
 * block, so what one worker holds is bounded by the largest streamed working set S (a block and the
 * metrics' sketches, as the default metrics report it): the heap is 256 MiB for the JVM and the plan,
 * plus three S per thread (the working set, room to hold ordinary tensors whole, the collector's
 * slack), between 512 MiB and half the machine's memory; the young generation is 40% of it so blocks and
 * copies die young. {@code SWAN_JAVA_OPTS} with its own {@code -Xmx} overrides it.
 */
public final class HeapAdvice {
    static final long MIN_HEAP = 512L << 20;
    static final long BASE = 256L << 20;

    private HeapAdvice() {
    }

    public static void main(String[] args) {
        try {
            String flags = advise(args, physicalMemory());
            if (!flags.isEmpty()) System.out.println(flags);
        } catch (RuntimeException | Error e) {
            // no advice: the JVM's default heap, and the launcher's own heap check, apply
        }
    }

    /** Flags for {@code args} (a swan command line), or "" when it names no model folder to look at. */
    static String advise(String[] args, long physical) {
        Path model = null;
        int threads = Runtime.getRuntime().availableProcessors();
        String command = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-o") || a.equals("--output")) {
                i++; // an output folder may hold a config.json too (an earlier MLX output)
            } else if (a.equals("-t") || a.equals("--threads")) {
                if (i + 1 < args.length) threads = Integer.parseInt(args[++i]);
            } else if (a.startsWith("--threads=")) {
                threads = Integer.parseInt(a.substring("--threads=".length()));
            } else if (a.startsWith("-")) {
                // an option; its value, if any, is never a model folder with a config.json
            } else if (command == null) {
                command = a;
            } else if (model == null) {
                Path p = HubCache.resolveIfId(Path.of(a));
                if (Files.isRegularFile(p.resolve("config.json"))) model = p;
            }
        }
        if (model == null || !(List.of("analyze", "quantize").contains(command))) return "";
        long perWorker;
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, new SwanCommand().pluginFolders(), false));
             ModelDir m = ModelFolder.open(model)) {
            ResolvedPipeline rp = ResolvedPipeline.resolve(PipelineSettings.defaults(), plugins, true, false);
            perWorker = AnalysisEngine.streamedWorkingSet(m, rp.metrics());
        }
        return flags(heap(perWorker, threads, physical));
    }

    static long heap(long perWorker, int threads, long physical) {
        long h = BASE + 3L * Math.max(1, threads) * perWorker;
        long cap = physical > 0 ? physical / 2 : Long.MAX_VALUE;
        h = Math.max(MIN_HEAP, Math.min(h, cap));
        return (h + (64L << 20) - 1) / (64L << 20) * (64L << 20);
    }

    static String flags(long heap) {
        long mb = heap >> 20;
        return "-Xmx" + mb + "m -Xmn" + (mb * 2 / 5) + "m";
    }

    /** Total memory of this machine from /proc/meminfo (Linux), or 0 when unknown. */
    static long physicalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
