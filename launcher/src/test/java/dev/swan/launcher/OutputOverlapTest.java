package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An output that is, contains or sits inside its own source model is refused, with --force too, and the
 * source stays byte for byte as it was (before this check, '-o M -f mlx --force' replaced M's weights).
 */
class OutputOverlapTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> overlaps() {
        return Stream.of(
                Arguments.of("the source itself", "M", "mlx", "is the source model itself"),
                Arguments.of("the source itself, as gguf", "M", "gguf", "is the source model itself"),
                Arguments.of("the weights file inside it", "M/model.safetensors", "gguf", "inside the source model"),
                Arguments.of("a new folder inside it", "M/out", "mlx", "inside the source model"),
                Arguments.of("its parent folder", ".", "mlx", "contains the source model"),
                Arguments.of("through a symbolic link", "link", "mlx", "is the source model itself"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlaps")
    void refusedAndSourceUntouched(String what, String output, String format, String expected) throws IOException {
        Path model = tmp.resolve("M");
        SyntheticModel.write(SyntheticModel.llama(), model);
        Files.createSymbolicLink(tmp.resolve("link"), model);
        TreeMap<String, byte[]> before = snapshot(model);
        Cli r = Cli.run("quantize", model.toString(), "-o", tmp.resolve(output).toString(), "-f", format,
                "--uniform", "8", "--force");
        assertEquals(1, r.exit(), what + ": " + r);
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected) && r.err().contains("outside the model folder"), r.err());
        TreeMap<String, byte[]> after = snapshot(model);
        assertEquals(before.keySet(), after.keySet(), what + ": files of the source");
        for (String f : before.keySet()) assertArrayEquals(before.get(f), after.get(f), what + ": " + f);
    }

    @ParameterizedTest(name = "analyze -o {0}")
    @MethodSource("manifestTargets")
    void analyzeRefusesAManifestInsideTheSource(String output) throws IOException {
        Path model = tmp.resolve("M");
        SyntheticModel.write(SyntheticModel.llama(), model);
        byte[] config = Files.readAllBytes(model.resolve("config.json"));
        Cli r = Cli.run("analyze", model.toString(), "-o", tmp.resolve(output).toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("inside the source model"), r.err());
        assertArrayEquals(config, Files.readAllBytes(model.resolve("config.json")));
    }

    static List<String> manifestTargets() {
        return List.of("M/config.json", "M/m.json");
    }

    private static TreeMap<String, byte[]> snapshot(Path dir) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) out.put(dir.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }
}
