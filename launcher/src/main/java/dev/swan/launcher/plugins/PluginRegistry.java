package dev.swan.launcher.plugins;

import dev.swan.api.BitAllocator;
import dev.swan.api.OutputFormat;
import dev.swan.api.PluginException;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.SwanPlugin;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every metric, allocator and output format available to a run. Plugins come from the classpath (for
 * embedding and tests), from plugin folders (each jar in its own class loader, found with
 * ServiceLoader) and from OSGi bundles started in an embedded Felix ({@link OsgiPlugins}). All are
 * treated alike: no built-in id is special. The registry checks SPI versions and refuses duplicate ids.
 */
public final class PluginRegistry implements AutoCloseable {
    private final Map<String, LoadedPlugin<SensitivityMetric>> metrics = new TreeMap<>();
    private final Map<String, LoadedPlugin<BitAllocator>> allocators = new TreeMap<>();
    private final Map<String, LoadedPlugin<OutputFormat>> formats = new TreeMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    private PluginRegistry() {
    }

    /** Where to look for plugins. */
    public record Sources(boolean classpath, List<Path> folders, boolean osgi) {
    }

    public static PluginRegistry load(Sources sources) {
        PluginRegistry r = new PluginRegistry();
        try {
            if (sources.classpath()) r.addFrom(PluginRegistry.class.getClassLoader(), "classpath", "classpath", null);
            for (Path folder : sources.folders()) r.addFolder(folder, sources.osgi());
            if (sources.osgi()) {
                OsgiPlugins osgi = OsgiPlugins.start(sources.folders());
                r.resources.add(osgi);
                for (LoadedPlugin<? extends SwanPlugin> p : osgi.plugins()) r.add(p);
            }
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** Plain jars load in class loaders; with OSGi on, jars that are bundles are left to Felix. */
    private void addFolder(Path folder, boolean osgi) {
        if (!Files.isDirectory(folder)) return;
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "*.jar")) {
            for (Path p : ds) jars.add(p);
        } catch (IOException e) {
            throw new PluginException("(folder)", null, "cannot list plugin folder " + folder + ": " + e.getMessage(), e);
        }
        Collections.sort(jars);
        for (Path jar : jars) {
            if (osgi && OsgiPlugins.isBundle(jar)) continue; // started as a bundle in Felix instead
            PluginClassLoader loader;
            try {
                loader = new PluginClassLoader(jar.toUri().toURL(), SwanPlugin.class.getClassLoader());
            } catch (MalformedURLException e) {
                throw new PluginException("(jar)", null, "bad plugin path " + jar, e);
            }
            resources.add(loader);
            addFrom(loader, jar.toString(), "plugin-folder", loader);
        }
    }

    private void addFrom(ClassLoader loader, String origin, String via, ClassLoader ownedBy) {
        load(SensitivityMetric.class, "metric", loader, origin, via, ownedBy);
        load(BitAllocator.class, "allocator", loader, origin, via, ownedBy);
        load(OutputFormat.class, "format", loader, origin, via, ownedBy);
    }

    private <T extends SwanPlugin> void load(Class<T> type, String kind, ClassLoader loader, String origin,
                                             String via, ClassLoader ownedBy) {
        ServiceLoader<T> sl = ServiceLoader.load(type, loader);
        try {
            for (ServiceLoader.Provider<T> p : (Iterable<ServiceLoader.Provider<T>>) sl.stream()::iterator) {
                if (ownedBy != null && p.type().getClassLoader() != ownedBy) continue;
                T plugin;
                try {
                    plugin = p.get();
                } catch (ServiceConfigurationError | RuntimeException e) {
                    throw new PluginException(p.type().getName(), null, "cannot be instantiated (from " + origin + "): "
                            + rootMessage(e), e);
                }
                add(new LoadedPlugin<>(plugin, kind, origin, via));
            }
        } catch (ServiceConfigurationError e) {
            throw new PluginException("(" + kind + ")", null, "broken service entry in " + origin + ": " + rootMessage(e), e);
        }
    }

    @SuppressWarnings("unchecked")
    void add(LoadedPlugin<? extends SwanPlugin> p) {
        SwanPlugin plugin = p.plugin();
        String spi = plugin.spiVersion();
        if (!SpiVersion.isCompatible(spi)) {
            throw new PluginException(plugin.id(), null, "built against SPI " + spi + " but this swan provides SPI "
                    + SpiVersion.CURRENT + " (" + p.origin() + "): rebuild the plugin against swan-api "
                    + SpiVersion.CURRENT, null);
        }
        Map<String, LoadedPlugin<?>> target = (Map<String, LoadedPlugin<?>>) (Map<?, ?>) (p.kind().equals("metric")
                ? metrics : p.kind().equals("allocator") ? allocators : formats);
        LoadedPlugin<?> prev = target.get(plugin.id());
        if (prev != null) {
            throw new PluginException(plugin.id(), null, "two " + p.kind() + " plugins have this id: " + prev.origin()
                    + " and " + p.origin() + " (remove one of them)", null);
        }
        target.put(plugin.id(), p);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    public List<LoadedPlugin<SensitivityMetric>> metrics() {
        return List.copyOf(metrics.values());
    }

    public List<LoadedPlugin<BitAllocator>> allocators() {
        return List.copyOf(allocators.values());
    }

    public List<LoadedPlugin<OutputFormat>> formats() {
        return List.copyOf(formats.values());
    }

    public SensitivityMetric metric(String id) {
        return find(metrics, id, "metric").plugin();
    }

    public BitAllocator allocator(String id) {
        return find(allocators, id, "allocator").plugin();
    }

    public OutputFormat format(String id) {
        return find(formats, id, "format").plugin();
    }

    public boolean hasMetric(String id) {
        return metrics.containsKey(id);
    }

    public boolean hasFormat(String id) {
        return formats.containsKey(id);
    }

    public boolean hasAllocator(String id) {
        return allocators.containsKey(id);
    }

    private static <T extends SwanPlugin> LoadedPlugin<T> find(Map<String, LoadedPlugin<T>> m, String id, String kind) {
        LoadedPlugin<T> p = m.get(id);
        if (p == null) {
            throw new PluginException(id, null, "no " + kind + " plugin with this id (available: "
                    + (m.isEmpty() ? "none" : String.join(", ", m.keySet())) + "); see 'swan plugins'", null);
        }
        return p;
    }

    @Override
    public void close() {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort on shutdown
            }
        }
        resources.clear();
    }
}
