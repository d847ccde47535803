package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SyntheticModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input of the foundation issue, through the CLI: exit status 1, one line naming the file (and
 * tensor or key), and nothing written where the output would have gone.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    interface Breaker {
        void breakIt(Path model) throws IOException;
    }

    static final String T = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    static void raw(Path model, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(model.resolve("model.safetensors"), b.array());
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("truncated file", (Breaker) m -> Files.write(m.resolve("model.safetensors"), new byte[5]), "truncated"),
                Arguments.of("header longer than file", (Breaker) m -> Files.write(m.resolve("model.safetensors"),
                        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(4096).array()), "larger than the file"),
                Arguments.of("header not JSON", (Breaker) m -> raw(m, "{oops", 0), "not valid JSON"),
                Arguments.of("header not an object", (Breaker) m -> raw(m, "[]", 0), "not an object"),
                Arguments.of("unknown dtype", (Breaker) m -> raw(m, T.replace("F32", "Q9"), 8), "unknown dtype"),
                Arguments.of("shape and span disagree", (Breaker) m -> raw(m, T.replace("[2]", "[3]"), 8), "needs 12 bytes"),
                Arguments.of("overlapping offsets", (Breaker) m -> raw(m, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlap"),
                Arguments.of("offset out of range", (Breaker) m -> raw(m, T, 4), "beyond the data area"),
                Arguments.of("gap between tensors", (Breaker) m -> raw(m, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "gap"),
                Arguments.of("bytes after the last tensor", (Breaker) m -> raw(m, T, 12), "after the last tensor"),
                Arguments.of("index names a missing shard", (Breaker) m -> index(m, "model-00009-of-00009.safetensors"), "does not exist"),
                Arguments.of("shard path escapes (..)", (Breaker) m -> index(m, "../x.safetensors"), "escapes the model directory"),
                Arguments.of("shard path escapes (absolute)", (Breaker) m -> index(m, "/etc/hosts"), "escapes the model directory"),
                Arguments.of("config.json missing", (Breaker) m -> Files.delete(m.resolve("config.json")), "config.json: missing"),
                Arguments.of("PyTorch weights only", (Breaker) m -> Files.move(m.resolve("model.safetensors"),
                        m.resolve("pytorch_model.bin")), "it has PyTorch weights, which swan does not read"),
                Arguments.of("config.json malformed", (Breaker) m -> Files.writeString(m.resolve("config.json"), "{\"a\": }"), "malformed JSON"),
                Arguments.of("tensor in index but not in shard", (Breaker) m -> index(m, "model.safetensors", "model.ghost.weight"),
                        "absent from this shard"));
    }

    /** Points the index at {@code shard}; with a name, also lists a tensor the shard lacks. */
    static void index(Path m, String shard, String... extra) throws IOException {
        StringBuilder wm = new StringBuilder("{\"weight_map\": {\"model.embed_tokens.weight\": \"" + shard + "\"");
        for (String e : extra) wm.append(", \"").append(e).append("\": \"model.safetensors\"");
        Files.writeString(m.resolve("model.safetensors.index.json"), wm.append("}}").toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithOneLineAndNothingWritten(String what, Breaker breaker, String expected) throws IOException {
        Path model = tmp.resolve("model");
        SyntheticModel.write(SyntheticModel.llama(), model);
        breaker.breakIt(model);
        Path out = tmp.resolve("out");
        Cli r = Cli.run("quantize", model.toString(), "-o", out.toString());
        assertEquals(1, r.exit(), what + ": " + r);
        assertEquals(1, r.err().strip().lines().count(), what + ": " + r.err());
        assertTrue(r.err().contains(expected), what + ": " + r.err());
        assertTrue(r.err().contains(model.toString()), "names the file: " + r.err());
        assertFalse(Files.exists(out), what + ": nothing written");
        try (var files = Files.list(tmp)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains("swan-tmp")), "no temporary left");
        }
        assertEquals(1, Cli.run("inspect", model.toString()).exit());
    }
}
