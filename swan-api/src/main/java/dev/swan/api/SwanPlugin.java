package dev.swan.api;

import java.util.List;

/**
 * What every plugin (metric, allocator, output format) tells the launcher about itself. Plugins are
 * found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry naming the class) or as
 * OSGi services; they need a public no-argument constructor and must be stateless and thread-safe:
 * everything a call needs arrives in its arguments.
 */
public interface SwanPlugin {

    /** Stable identifier used in YAML, manifests and on the command line, e.g. {@code svd}. */
    String id();

    /** One sentence for {@code swan plugins} and {@code --help}. */
    String description();

    /**
     * The SPI version this plugin was compiled against. Implement it as {@code return SpiVersion.CURRENT;}
     * so the compiler inlines the value; the launcher refuses incompatible plugins.
     */
    String spiVersion();

    /** The plugin's own version, from its jar manifest ({@code Implementation-Version} or bundle version). */
    default String version() {
        Package p = getClass().getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "unversioned" : v;
    }

    /** Parameters the plugin accepts, with their defaults. Unknown parameters are refused by the launcher. */
    default List<ParameterSpec> parameters() {
        return List.of();
    }
}
