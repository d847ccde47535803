package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mlx_lm.convert's --dtype: the float type of what is not quantized, and of scales and biases, as --set mlx.dtype. */
class PeerOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void dtypeIsMlxLmConvertsDtype() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m-bf16").toString();
        Path peer = tmp.resolve("peer");
        Path set = tmp.resolve("set");
        Cli a = Cli.run("quantize", model, "-o", peer.toString(), "--q-bits", "4", "--dtype", "float16", "-q");
        assertEquals(0, a.exit(), a.toString());
        Cli b = Cli.run("quantize", model, "-o", set.toString(), "--uniform", "4", "--set", "mlx.dtype=float16", "-q");
        assertEquals(0, b.exit(), b.toString());
        assertArrayEquals(Files.readAllBytes(set.resolve("model.safetensors")), Files.readAllBytes(peer.resolve("model.safetensors")));
        assertTrue(Files.readString(peer.resolve("config.json")).contains("float16"));
        Cli gguf = Cli.run("quantize", model, tmp.resolve("x.gguf").toString(), "Q4_0", "--dtype", "float16", "-q");
        assertEquals(2, gguf.exit(), gguf.toString());
        assertTrue(gguf.err().contains("--dtype does not apply to gguf outputs") && gguf.err().contains("-f mlx"), gguf.err());
    }
}
