package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third-party example (examples/plugin-example, built by the reactor) dropped into a plugin folder,
 * once loaded as a plain jar and once as an OSGi bundle: it shows in 'swan plugins' and, given a weight in a
 * YAML pipeline, in the manifest.
 */
class PluginExampleIT {
    @TempDir
    Path tmp;

    static Path exampleJar() throws IOException {
        Path target = Path.of(System.getProperty("swan.root", "..")).resolve("examples/plugin-example/target");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "swan-plugin-outliers-*.jar")) {
            for (Path p : ds) return p;
        }
        throw new IllegalStateException("example plugin not built in " + target);
    }

    @Test
    void exampleAsPlainJarAndAsBundle() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("my-plugins"));
        Files.copy(exampleJar(), plugins.resolve("swan-plugin-outliers.jar"));
        Path yaml = tmp.resolve("pipeline.yaml");
        Files.writeString(yaml, String.join("\n",
                "model: " + SharedModels.model("stories260K"),
                "metrics:",
                "  - {id: svd, weight: 0.20}",
                "  - {id: kurtosis, weight: 0.35}",
                "  - {id: noise, weight: 0.15}",
                "  - {id: recon, weight: 0.20}",
                "  - {id: outliers, weight: 0.10, parameters: {sigmas: 4.0}}",
                "plugins: [my-plugins]", ""));
        for (boolean osgi : new boolean[] {false, true}) {
            String[] extra = osgi ? new String[] {"--osgi"} : new String[0];
            Dist listed = Dist.run(tmp, concat(new String[] {"plugins", "--json", "--plugins", plugins.toString()}, extra));
            assertEquals(0, listed.exit(), listed.toString());
            JsonNode outliers = null;
            for (JsonNode p : new ObjectMapper().readTree(listed.out())) if (p.get("id").asText().equals("outliers")) outliers = p;
            assertTrue(outliers != null, listed.out());
            assertEquals(osgi ? "osgi" : "plugin-folder", outliers.get("loaded_via").asText());
            assertEquals("1.0.0", outliers.get("version").asText());
            Path manifest = tmp.resolve("m-" + osgi + ".json");
            Dist run = Dist.run(tmp, concat(new String[] {"analyze", "--config", yaml.toString(), "-o", manifest.toString(),
                    "--self-calibrate", "0"}, extra));
            assertEquals(0, run.exit(), run.toString());
            JsonNode m = new ObjectMapper().readTree(manifest.toFile());
            boolean listedInMetrics = false;
            for (JsonNode mi : m.get("metrics")) {
                if (mi.get("id").asText().equals("outliers")) {
                    listedInMetrics = true;
                    assertEquals(0.10, mi.get("weight").asDouble(), 1e-12);
                    assertEquals(4.0, mi.get("parameters").get("sigmas").asDouble(), 1e-12);
                }
            }
            assertTrue(listedInMetrics);
            JsonNode q = m.get("tensors").get(1);
            assertTrue(q.get("metrics").has("outliers"), q.toString());
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
