package dev.swan.launcher.plugins;

import dev.swan.api.BitAllocator;
import dev.swan.api.OutputFormat;
import dev.swan.api.PluginException;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.toolkit.TensorMetricContext;
import dev.swan.api.SwanPlugin;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Plugins as OSGi bundles in an embedded Apache Felix. The launcher's system bundle exports the SPI
 * packages as the SPI bundle's own manifest declares them, so plugin bundles share the SPI
 * types with the launcher. Apache Aries SPI Fly (the OSGi ServiceLoader Mediator) turns each bundle's
 * {@code META-INF/services} entries — declared by bnd as {@code osgi.serviceloader} capabilities — into
 * OSGi services, which are then looked up in the service registry.
 */
final class OsgiPlugins implements AutoCloseable {

    private final Felix felix;
    private final Path storage;
    /** Held so the level set on it sticks (JUL keeps loggers weakly): SPI Fly logs every registration at INFO. */
    private final java.util.logging.Logger spiFlyLog = java.util.logging.Logger.getLogger("org.apache.aries.spifly");
    private final List<LoadedPlugin<? extends SwanPlugin>> plugins = new ArrayList<>();

    private OsgiPlugins(Felix felix, Path storage) {
        this.felix = felix;
        this.storage = storage;
        spiFlyLog.setLevel(java.util.logging.Level.WARNING);
    }

    /**
     * The packages the host shares with plugin bundles, with their versions, exactly as the SPI's and the
     * toolkit's manifests say (bnd wrote them from the build), for the system bundle to export.
     */
    static String hostExports() {
        return exportsOf(SpiVersion.class, "dev.swan.api") + "," + exportsOf(TensorMetricContext.class, "dev.swan.toolkit");
    }

    private static String exportsOf(Class<?> member, String root) {
        try {
            java.net.URL where = member.getProtectionDomain().getCodeSource().getLocation();
            Path location = Path.of(where.toURI());
            java.util.jar.Manifest manifest;
            if (Files.isDirectory(location)) {
                try (var in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
                    manifest = new java.util.jar.Manifest(in);
                }
            } else {
                try (var jar = new java.util.jar.JarFile(location.toFile())) {
                    manifest = jar.getManifest();
                }
            }
            String exports = manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
            if (exports == null || !exports.contains(root)) {
                throw new PluginException("osgi", null, location + ": the bundle's manifest has no Export-Package of " + root, null);
            }
            return exports;
        } catch (IOException | java.net.URISyntaxException | SecurityException e) {
            throw new PluginException("osgi", null, "cannot read the manifest of " + root + "'s bundle: " + e.getMessage(), e);
        }
    }

    static OsgiPlugins start(List<Path> folders) {
        List<Path> runtime = runtimeBundles();
        Path storage;
        try {
            storage = Files.createTempDirectory("swan-felix");
        } catch (IOException e) {
            throw new PluginException("osgi", null, "cannot create the Felix storage folder: " + e.getMessage(), e);
        }
        String extra = hostExports();
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, extra);
        cfg.put("felix.log.level", "1");
        Felix felix = new Felix(cfg);
        OsgiPlugins o = new OsgiPlugins(felix, storage);
        try {
            felix.start();
            BundleContext ctx = felix.getBundleContext();
            List<Bundle> rt = new ArrayList<>();
            for (Path b : runtime) rt.add(ctx.installBundle(b.toUri().toString()));
            for (Bundle b : rt) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) b.start();
            }
            List<Bundle> mine = new ArrayList<>();
            for (Path folder : folders) {
                for (Path jar : jars(folder)) {
                    if (!isBundle(jar)) continue; // plain jars are not OSGi bundles; nothing to start
                    mine.add(ctx.installBundle(jar.toUri().toString()));
                }
            }
            for (Bundle b : mine) {
                try {
                    b.start();
                } catch (BundleException e) {
                    throw new PluginException(b.getSymbolicName(), null, "bundle " + b.getLocation()
                            + " cannot start in Felix: " + e.getMessage(), e);
                }
            }
            awaitRegistrations(ctx, mine);
            o.collect(ctx, SensitivityMetric.class, "metric");
            o.collect(ctx, BitAllocator.class, "allocator");
            o.collect(ctx, OutputFormat.class, "format");
            return o;
        } catch (BundleException e) {
            o.close();
            throw new PluginException("osgi", null, "Felix failed to start: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** SPI Fly and whatever else the distribution keeps in lib/osgi (or -Dswan.osgi.bundles=DIR). */
    private static List<Path> runtimeBundles() {
        String dir = System.getProperty("swan.osgi.bundles");
        if (dir == null && System.getProperty("swan.home") != null) dir = Path.of(System.getProperty("swan.home"), "lib", "osgi").toString();
        List<Path> out = dir == null ? List.of() : jars(Path.of(dir));
        if (out.isEmpty()) {
            throw new PluginException("osgi", null, "no OSGi runtime bundles found (expected Apache Aries SPI Fly in "
                    + (dir == null ? "<swan>/lib/osgi" : dir) + "): use the swan distribution's bin/swan", null);
        }
        return out;
    }

    private static List<Path> jars(Path folder) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "*.jar")) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new PluginException("osgi", null, "cannot list " + folder + ": " + e.getMessage(), e);
        }
        Collections.sort(out);
        return out;
    }

    static boolean isBundle(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest() != null && j.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** SPI Fly registers providers as their bundles start; wait (briefly) until every declared provider is there. */
    private static void awaitRegistrations(BundleContext ctx, List<Bundle> bundles) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (Bundle b : bundles) {
                BundleRevision rev = b.adapt(BundleRevision.class);
                List<BundleCapability> caps = rev == null ? List.of() : rev.getDeclaredCapabilities("osgi.serviceloader");
                ServiceReference<?>[] regs = b.getRegisteredServices();
                if (caps.size() > (regs == null ? 0 : regs.length)) all = false;
            }
            if (all) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private <T extends SwanPlugin> void collect(BundleContext ctx, Class<T> type, String kind) {
        Collection<ServiceReference<T>> refs;
        try {
            refs = ctx.getServiceReferences(type, null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<ServiceReference<T>> sorted = new ArrayList<>(refs);
        sorted.sort((a, b) -> Long.compare(a.getBundle().getBundleId(), b.getBundle().getBundleId()));
        for (ServiceReference<T> ref : sorted) {
            T plugin = ctx.getService(ref);
            if (plugin == null) continue;
            Bundle b = ref.getBundle();
            plugins.add(new LoadedPlugin<>(plugin, kind, "bundle " + b.getBundleId() + " " + b.getSymbolicName() + " "
                    + b.getVersion() + " (" + location(b) + ")", "osgi"));
        }
    }

    private static String location(Bundle b) {
        try {
            return Path.of(java.net.URI.create(b.getLocation())).toString();
        } catch (RuntimeException notAFileUri) {
            return b.getLocation();
        }
    }

    List<LoadedPlugin<? extends SwanPlugin>> plugins() {
        return plugins;
    }

    @Override
    public void close() {
        try {
            felix.stop();
            felix.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(storage)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary folder; the OS cleans up what is left
        }
    }
}
