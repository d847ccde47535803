package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full pipeline (analyze → allocate → MLX and GGUF) with every built-in plugin started as an OSGi
 * bundle in Felix gives byte-identical outputs to the same run with the plugins on the classpath (this
 * JVM's test classpath) and as plain jars from the distribution's plugin folder.
 */
class OsgiPipelineIT {
    @TempDir
    Path tmp;

    @Test
    void bundlesGiveTheSameBytesAsTheClasspath() throws IOException, InterruptedException {
        String model = SharedModels.model("stories260K-bf16").toString();
        Dist listed = Dist.run(tmp, "plugins", "--osgi", "--json");
        assertEquals(0, listed.exit(), listed.toString());
        for (String id : List.of("svd", "kurtosis", "noise", "recon", "threshold", "uniform", "mlx", "gguf")) {
            assertTrue(listed.out().contains("\"id\" : \"" + id + "\""), id + " missing: " + listed.out());
        }
        assertTrue(!listed.out().contains("\"loaded_via\" : \"plugin-folder\""), "everything came from Felix");
        for (String format : List.of("mlx", "gguf")) {
            String ext = format.equals("gguf") ? ".gguf" : "";
            Path cp = tmp.resolve("classpath" + ext);
            Path plain = tmp.resolve("plain" + ext);
            Path osgi = tmp.resolve("osgi" + ext);
            Cli c = Cli.run("quantize", model, "-f", format, "-o", cp.toString(), "-q", "--self-calibrate", "0");
            assertEquals(0, c.exit(), c.toString());
            Dist p = Dist.run(tmp, "quantize", model, "-f", format, "-o", plain.toString(), "-q", "--self-calibrate", "0");
            assertEquals(0, p.exit(), p.toString());
            Dist o = Dist.run(tmp, "quantize", model, "-f", format, "-o", osgi.toString(), "-q", "--osgi", "--self-calibrate", "0");
            assertEquals(0, o.exit(), o.toString());
            for (String f : format.equals("gguf") ? List.of("") : List.of("model.safetensors", "config.json",
                    "model.safetensors.index.json", "tokenizer.json")) {
                byte[] a = Files.readAllBytes(f.isEmpty() ? cp : cp.resolve(f));
                assertArrayEquals(a, Files.readAllBytes(f.isEmpty() ? plain : plain.resolve(f)), format + " " + f + " plain");
                assertArrayEquals(a, Files.readAllBytes(f.isEmpty() ? osgi : osgi.resolve(f)), format + " " + f + " osgi");
            }
        }
    }
}
