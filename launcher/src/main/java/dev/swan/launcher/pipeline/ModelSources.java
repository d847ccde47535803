package dev.swan.launcher.pipeline;

import dev.swan.api.OutputFormat;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.toolkit.model.HubCache;
import dev.swan.toolkit.model.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens the model a command quantizes: a Hugging Face folder (or hub id), or what an installed format reads
 * as a source (a GGUF file, a quantized MLX folder), so a llama.cpp user's {@code model-f16.gguf} is
 * quantized like the folder it came from.
 */
public final class ModelSources {
    private ModelSources() {
    }

    public static ModelDir open(Path path, PluginRegistry plugins, boolean allowRequantize) throws IOException {
        return open(path, plugins, allowRequantize, dev.swan.api.ProgressSink.NONE);
    }

    /** As {@link #open(Path, PluginRegistry, boolean)}, downloading a hub id the cache lacks, with progress. */
    public static ModelDir open(Path path, PluginRegistry plugins, boolean allowRequantize,
                                dev.swan.api.ProgressSink download) throws IOException {
        fetchIfId(path, download);
        Path p = HubCache.resolveIfId(path);
        if (Files.exists(p)) {
            for (LoadedPlugin<OutputFormat> f : plugins.formats()) {
                Optional<ModelDir> m = f.plugin().openSource(p, allowRequantize);
                if (m.isPresent()) return m.get();
            }
        }
        return ModelFolder.open(path);
    }

    /**
     * For a hub id ({@code owner/name[@revision]}) that is no local path: downloads what the hub cache lacks
     * (nothing when it is complete there; refused in one line under {@code HF_HUB_OFFLINE}).
     */
    public static void fetchIfId(Path path, dev.swan.api.ProgressSink progress) {
        if (!HubCache.looksLikeId(path.toString())) return;
        new dev.swan.launcher.hub.HubDownloader(dev.swan.launcher.hub.HubSettings.of(System.getenv()))
                .fetch(path.toString(), progress);
    }
}
