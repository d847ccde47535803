package dev.swan.launcher.evaluation;

import dev.swan.api.ModelFormatException;
import dev.swan.api.OutputFormat;
import dev.swan.api.StoredModel;
import dev.swan.eval.HfStoredModel;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens any model swan reads or writes, as stored: whatever an installed format recognises and can read
 * back (a GGUF file, an MLX directory), else a Hugging Face folder.
 */
public final class StoredModels {
    private StoredModels() {
    }

    /** The path itself, or for a Hugging Face id ({@code Qwen/Qwen3-8B}) its snapshot in the local hub cache. */
    public static Path resolve(Path path) {
        return dev.swan.toolkit.model.HubCache.resolveIfId(path);
    }

    public static StoredModel open(Path path, PluginRegistry plugins) throws IOException {
        dev.swan.launcher.pipeline.ModelSources.fetchIfId(path, dev.swan.api.ProgressSink.NONE);
        path = resolve(path);
        if (!Files.exists(path)) throw new ModelFormatException(path, null, "no such file or directory");
        for (LoadedPlugin<OutputFormat> f : plugins.formats()) {
            if (!f.plugin().recognizes(path)) continue;
            Optional<StoredModel> m = f.plugin().openStored(path);
            if (m.isPresent()) return m.get();
        }
        if (Files.isDirectory(path)) return HfStoredModel.open(path);
        throw new ModelFormatException(path, null, "not a model swan can read (a Hugging Face or MLX folder, or a GGUF file)");
    }
}
