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
 * Opens the model a command quantizes: a Hugging Face folder (or hub id), or a file an installed format reads
 * as a source (a GGUF), so a llama.cpp user's {@code model-f16.gguf} is quantized like the folder it came from.
 */
public final class ModelSources {
    private ModelSources() {
    }

    public static ModelDir open(Path path, PluginRegistry plugins, boolean allowRequantize) throws IOException {
        Path p = HubCache.resolveIfId(path);
        if (Files.isRegularFile(p)) {
            for (LoadedPlugin<OutputFormat> f : plugins.formats()) {
                Optional<ModelDir> m = f.plugin().openSource(p, allowRequantize);
                if (m.isPresent()) return m.get();
            }
        }
        return ModelFolder.open(path);
    }
}
