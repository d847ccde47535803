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

/**
 * {@code --preset mixed_3_6} (mlx_lm.convert --quant-predicate mixed_3_6) writes what the recipe's published
 * rule says, byte for byte: here the same model quantized uniformly at the low bits with the rule's
 * high-bit modules written out by hand as overrides (qwen3-gutenberg-4m, 4 layers: v_proj and down_proj of
 * layers 2 and 3, and lm_head).
 */
class MixedRecipeTest {
    @TempDir
    Path tmp;

    @Test
    void mixedRecipeEqualsItsRuleWrittenOut() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path recipe = tmp.resolve("recipe");
        Path rule = tmp.resolve("rule");
        Cli a = Cli.run("quantize", model, "-o", recipe.toString(), "--preset", "mixed_3_6", "-q");
        assertEquals(0, a.exit(), a.toString());
        Cli b = Cli.run("quantize", model, "-o", rule.toString(), "--uniform", "3", "-q",
                "--override", "layers\\.[23]\\.self_attn\\.v_proj=6", "--override", "layers\\.[23]\\.mlp\\.down_proj=6",
                "--override", "lm_head=6");
        assertEquals(0, b.exit(), b.toString());
        assertArrayEquals(Files.readAllBytes(rule.resolve("model.safetensors")), Files.readAllBytes(recipe.resolve("model.safetensors")));
        String config = Files.readString(recipe.resolve("config.json"));
        assertTrue(config.contains("\"model.layers.2.mlp.down_proj\"") && !config.contains("\"model.layers.1.mlp.down_proj\""), config);
        // mlx_lm.convert's spellings: --quant-predicate and --q-bits mean --preset and --uniform
        Path alias = tmp.resolve("alias");
        assertEquals(0, Cli.run("quantize", model, "-o", alias.toString(), "--quant-predicate", "mixed_3_6", "-q").exit());
        assertArrayEquals(Files.readAllBytes(recipe.resolve("model.safetensors")), Files.readAllBytes(alias.resolve("model.safetensors")));
        Path bits = tmp.resolve("bits");
        Path u3 = tmp.resolve("u3");
        assertEquals(0, Cli.run("quantize", model, "-o", bits.toString(), "--q-bits", "3", "-q").exit());
        assertEquals(0, Cli.run("quantize", model, "-o", u3.toString(), "--uniform", "3", "-q").exit());
        assertArrayEquals(Files.readAllBytes(u3.resolve("model.safetensors")), Files.readAllBytes(bits.resolve("model.safetensors")));
        Cli gguf = Cli.run("quantize", model, "-o", tmp.resolve("x.gguf").toString(), "-f", "gguf", "--preset", "mixed_3_6", "-q");
        assertEquals(2, gguf.exit(), gguf.toString());
        assertTrue(gguf.err().contains("mlx has: add -f mlx"), gguf.err());
    }

    /** mlx_lm.convert's --q-group-size, and swan's --group-size for the baseline's width, set its groups. */
    @Test
    void groupSizeOfTheUniformBaseline() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        byte[] reference = null;
        String[][] ways = {{"--uniform", "4/32"}, {"--q-bits", "4", "--q-group-size", "32"}, {"--q-group-size", "32"},
                {"--uniform", "4", "--group-size", "4=32"}};
        for (int i = 0; i < ways.length; i++) {
            Path out = tmp.resolve("g" + i);
            java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("quantize", model, "-o", out.toString(), "-q"));
            a.addAll(java.util.List.of(ways[i]));
            Cli r = Cli.run(a.toArray(new String[0]));
            assertEquals(0, r.exit(), r.toString());
            assertTrue(Files.readString(out.resolve("config.json")).contains("\"group_size\": 32"), String.join(" ", ways[i]));
            byte[] bytes = Files.readAllBytes(out.resolve("model.safetensors"));
            if (reference == null) reference = bytes;
            else assertArrayEquals(reference, bytes, String.join(" ", ways[i]));
        }
        Cli recipe = Cli.run("quantize", model, "-o", tmp.resolve("r").toString(), "--quant-predicate", "mixed_3_6",
                "--q-group-size", "32", "-q");
        assertEquals(2, recipe.exit(), recipe.toString());
        Cli type = Cli.run("quantize", model, "-f", "gguf", "-o", tmp.resolve("t.gguf").toString(), "--uniform", "Q4_0",
                "--q-group-size", "32", "-q");
        assertEquals(2, type.exit(), type.toString());
        assertTrue(type.err().contains("not to the type Q4_0"), type.err());
    }
}
