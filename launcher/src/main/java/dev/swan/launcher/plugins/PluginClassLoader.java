package dev.swan.launcher.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;

/**
 * Loads one plugin jar in isolation: the SPI ({@code dev.swan.api.*}) and the toolkit
 * ({@code dev.swan.toolkit.*}) come from the launcher, so plugin and launcher share the interface types
 * and one copy of the shared library (as Trino shares its SPI with plugin class loaders); every other
 * class is looked up in the jar first and then in the JDK only. A plugin therefore cannot see (or clash with) the launcher's own libraries, and two
 * plugins may carry different versions of the same library.
 */
final class PluginClassLoader extends URLClassLoader {
    private static final String SPI_PREFIX = "dev.swan.api.";
    private static final String TOOLKIT_PREFIX = "dev.swan.toolkit.";
    private final ClassLoader spiLoader;

    PluginClassLoader(URL jar, ClassLoader spiLoader) {
        super(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        this.spiLoader = spiLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI_PREFIX) || name.startsWith(TOOLKIT_PREFIX)) return spiLoader.loadClass(name);
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException notInJar) {
                    c = getParent().loadClass(name);
                }
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    /** Only this jar's resources, so ServiceLoader sees this jar's providers and no one else's. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return findResources(name);
    }

    @Override
    public URL getResource(String name) {
        URL u = findResource(name);
        return u != null ? u : super.getResource(name);
    }
}
