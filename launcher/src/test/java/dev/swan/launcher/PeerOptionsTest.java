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

    /**
     * mlx_lm.convert -d: a quantized MLX model's weights back in float, as MLX's dequantize op gives them in the
     * scales' type (q × scale rounded to bfloat16, plus the bias rounded again), unquantized tensors unchanged,
     * config.json without quantization; quantizing it again needs --allow-requantize.
     */
    @Test
    void dequantizeWritesTheWeightsBackInFloat() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m-bf16").toString();
        Path q = tmp.resolve("q8");
        Path d = tmp.resolve("d");
        assertEquals(0, Cli.run("quantize", model, "-o", q.toString(), "--uniform", "8", "-q").exit());
        Cli r = Cli.run("quantize", q.toString(), "-o", d.toString(), "-d", "-q");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(!Files.readString(d.resolve("config.json")).contains("quantization"));
        try (var qs = dev.swan.toolkit.safetensors.SafetensorsFile.open(q.resolve("model.safetensors"));
             var ds = dev.swan.toolkit.safetensors.SafetensorsFile.open(d.resolve("model.safetensors"))) {
            var norm = qs.tensors().get("model.norm.weight");
            byte[] a = new byte[(int) norm.byteSize()];
            byte[] b = new byte[a.length];
            qs.data(norm).readBytes(0, a, 0, a.length);
            ds.data(ds.tensors().get("model.norm.weight")).readBytes(0, b, 0, b.length);
            assertArrayEquals(a, b, "unquantized tensors as they were");
            var w = ds.tensors().get("model.layers.0.mlp.up_proj.weight");
            assertEquals(dev.swan.api.tensor.DType.BF16, w.dtype());
            // row 0, first group of 64: the codes are bytes at 8 bits, four to a uint32, lowest first
            byte[] codes = new byte[64];
            qs.data(qs.tensors().get("model.layers.0.mlp.up_proj.weight")).readBytes(0, codes, 0, 64);
            float[] scale = new float[1];
            float[] bias = new float[1];
            qs.data(qs.tensors().get("model.layers.0.mlp.up_proj.scales")).readFloats(0, scale, 0, 1);
            qs.data(qs.tensors().get("model.layers.0.mlp.up_proj.biases")).readFloats(0, bias, 0, 1);
            float[] got = new float[64];
            ds.data(w).readFloats(0, got, 0, 64);
            for (int i = 0; i < 64; i++) {
                float product = bf16(scale[0] * (codes[i] & 0xff));
                assertEquals(bf16(product + bias[0]), got[i], "element " + i);
            }
        }
        Cli again = Cli.run("quantize", q.toString(), "-o", tmp.resolve("x").toString(), "--uniform", "4", "-q");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains("quantized already") && again.err().contains("--allow-requantize"), again.err());
        assertEquals(0, Cli.run("quantize", q.toString(), "-o", tmp.resolve("y").toString(), "--uniform", "4",
                "--allow-requantize", "-q").exit());
    }

    /** mlx_lm.convert --hf-path MODEL --mlx-path OUT -q --q-bits 3: the same output as swan's spelling. */
    @Test
    void hfPathAndMlxPathAreTheModelAndTheMlxOutput() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path peer = tmp.resolve("peer");
        Path own = tmp.resolve("own");
        assertEquals(0, Cli.run("quantize", "--hf-path", model, "--mlx-path", peer.toString(), "-q", "--q-bits", "3").exit());
        assertEquals(0, Cli.run("quantize", model, "-f", "mlx", "-o", own.toString(), "--uniform", "3", "-q").exit());
        assertArrayEquals(Files.readAllBytes(own.resolve("model.safetensors")), Files.readAllBytes(peer.resolve("model.safetensors")));
        Cli twice = Cli.run("quantize", model, "--hf-path", model, "-q");
        assertEquals(2, twice.exit(), twice.toString());
    }

    /** Round to nearest even bfloat16 (as MLX rounds a float result into bfloat16). */
    private static float bf16(float f) {
        int b = Float.floatToRawIntBits(f);
        b = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000;
        return Float.intBitsToFloat(b);
    }
}
