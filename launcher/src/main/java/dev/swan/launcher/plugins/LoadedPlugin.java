package dev.swan.launcher.plugins;

import dev.swan.api.SwanPlugin;

/**
 * A plugin instance and where it came from.
 *
 * @param plugin the instance
 * @param kind   {@code metric}, {@code allocator} or {@code format}
 * @param origin the jar path, bundle id or "classpath"
 * @param via    how it was loaded: {@code classpath}, {@code plugin-folder} or {@code osgi}
 */
public record LoadedPlugin<T extends SwanPlugin>(T plugin, String kind, String origin, String via) {

    public String id() {
        return plugin.id();
    }
}
