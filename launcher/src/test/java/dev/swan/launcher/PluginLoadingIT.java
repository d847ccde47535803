package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin-folder rules, checked on the distribution: duplicate ids and incompatible SPI versions are refused. */
class PluginLoadingIT {
    @TempDir
    Path tmp;

    @Test
    void distributionLoadsEveryBuiltInPluginFromItsFolder() throws Exception {
        Dist r = Dist.run(tmp, "plugins", "--json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(10, r.out().split("\"loaded_via\" : \"plugin-folder\"", -1).length - 1, r.out());
        Dist v = Dist.run(tmp, "--version");
        assertTrue(v.out().contains("plugin SPI " + dev.swan.api.SpiVersion.CURRENT), v.out());
    }

    @Test
    void twoPluginsWithOneIdAreRefusedNamingBothJars() throws Exception {
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        Path kurtosis;
        try (var s = Files.newDirectoryStream(Dist.home().resolve("plugins"), "metric-kurtosis-*.jar")) {
            kurtosis = s.iterator().next();
        }
        Files.copy(kurtosis, extra.resolve("my-kurtosis.jar"));
        Dist r = Dist.run(tmp, "plugins", "--plugins", extra.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("plugin 'kurtosis'") && r.err().contains(kurtosis.getFileName().toString())
                && r.err().contains("my-kurtosis.jar"), r.err());
    }

    @Test
    void pluginBuiltForAnotherSpiIsRefusedWithBothVersions() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/org/example/future"));
        Files.writeString(src.resolve("FutureMetric.java"), String.join("\n",
                "package org.example.future;",
                "public final class FutureMetric implements dev.swan.api.SensitivityMetric {",
                "  public String id() { return \"future\"; }",
                "  public String description() { return \"built against SPI 2.0\"; }",
                "  public String spiVersion() { return \"2.0\"; }",
                "  public dev.swan.api.MetricResult measure(dev.swan.api.numeric.FloatMatrix w, dev.swan.api.MetricContext c) {",
                "    return dev.swan.api.MetricResult.of(0, 0);",
                "  }",
                "}"));
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String api;
        try (var s = Files.newDirectoryStream(Dist.home().resolve("lib"), "swan-api-*.jar")) {
            api = s.iterator().next().toString();
        }
        int rc = javac.run(null, null, null, "--release", "17", "-cp", api, "-d", classes.toString(),
                src.resolve("FutureMetric.java").toString());
        assertEquals(0, rc);
        Path plugins = Files.createDirectories(tmp.resolve("future"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("future.jar")))) {
            jar.putNextEntry(new JarEntry("org/example/future/FutureMetric.class"));
            jar.write(Files.readAllBytes(classes.resolve("org/example/future/FutureMetric.class")));
            jar.putNextEntry(new JarEntry("META-INF/services/dev.swan.api.SensitivityMetric"));
            jar.write("org.example.future.FutureMetric\n".getBytes(StandardCharsets.UTF_8));
        }
        Dist r = Dist.run(tmp, "plugins", "--plugins", plugins.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("SPI 2.0") && r.err().contains("SPI " + dev.swan.api.SpiVersion.CURRENT) && r.err().contains("future.jar"), r.err());
    }
}
