package dev.swan.launcher.plugins;

import dev.swan.api.PluginException;
import dev.swan.api.SwanPlugin;
import java.nio.file.Path;
import java.util.List;

/** Plugins started as OSGi bundles in an embedded Apache Felix framework. */
final class OsgiPlugins implements AutoCloseable {
    private OsgiPlugins() {
    }

    static OsgiPlugins start(List<Path> folders) {
        throw new PluginException("osgi", "OSGi loading is not available in this build yet");
    }

    List<LoadedPlugin<? extends SwanPlugin>> plugins() {
        return List.of();
    }

    @Override
    public void close() {
    }
}
