package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.swan.api.tensor.DType;
import dev.swan.launcher.pipeline.Json;
import dev.swan.testkit.SharedModels;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mlx_lm.convert -q --q-mode mxfp4 / nvfp4 / mxfp8: every quantizable weight in that mode (uint32 codes, one
 * uint8 scale per group of 32 or 16, no biases), config.json's quantization naming the mode, an output
 * swan verify accepts and swan eval reads, and --q-mode with a peer's -q spelling writing the same bytes.
 */
class MlxModesTest {
    @TempDir
    Path tmp;

    @Test
    void everyModeWritesVerifiesAndScores() throws Exception {
        String model = SharedModels.model("qwen3-gutenberg-4m-bf16").toString();
        String text = SharedModels.eval("gutenberg/frankenstein-excerpt.txt").toString();
        for (String[] m : new String[][] {{"mxfp4", "4", "32"}, {"nvfp4", "4", "16"}, {"mxfp8", "8", "32"}}) {
            Path out = tmp.resolve(m[0]);
            Cli q = Cli.run("quantize", model, "-o", out.toString(), "--uniform", m[0], "-q");
            assertEquals(0, q.exit(), q.toString());
            JsonNode quant = Json.MAPPER.readTree(out.resolve("config.json").toFile()).get("quantization");
            assertEquals(m[0], quant.get("mode").asText());
            assertEquals(Integer.parseInt(m[1]), quant.get("bits").asInt());
            assertEquals(Integer.parseInt(m[2]), quant.get("group_size").asInt());
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                var w = f.tensors().get("model.layers.0.mlp.up_proj.weight");
                var s = f.tensors().get("model.layers.0.mlp.up_proj.scales");
                assertEquals(DType.U32, w.dtype());
                assertEquals(DType.U8, s.dtype());
                assertArrayEquals(new long[] {768, 256 * Integer.parseInt(m[1]) / 32}, w.shape());
                assertArrayEquals(new long[] {768, 256 / Integer.parseInt(m[2])}, s.shape());
                assertFalse(f.tensors().containsKey("model.layers.0.mlp.up_proj.biases"), "no biases in " + m[0]);
            }
            Cli v = Cli.run("verify", out.toString(), "--source", model);
            assertEquals(0, v.exit(), v.toString());
            Cli e = Cli.run("eval", out.toString(), "--base", model, "--text", text, "--chunks", "4", "--json");
            assertEquals(0, e.exit(), e.toString());
            double kld = Json.MAPPER.readTree(e.out()).get("models").get(1).get("kld_mean").asDouble();
            assertTrue(kld > 0 && kld < 0.2, m[0] + " reads back close to the source: KLD " + kld);
        }
        // the peer's spelling: --q-mode with every weight quantized, as --uniform
        Path peer = tmp.resolve("peer");
        Cli p = Cli.run("quantize", model, "--mlx-path", peer.toString(), "--q-mode", "nvfp4", "--uniform", "nvfp4", "-q");
        assertEquals(0, p.exit(), p.toString());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("nvfp4").resolve("model.safetensors")),
                Files.readAllBytes(peer.resolve("model.safetensors")));
        Cli gguf = Cli.run("quantize", model, tmp.resolve("x.gguf").toString(), "Q4_0", "--q-mode", "mxfp4", "-q");
        assertEquals(2, gguf.exit(), gguf.toString());
    }
}
