package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user coming from mlx_lm.convert and llama-quantize trips over: each case one test. */
class NewUserTest {
    @TempDir
    Path tmp;

    /** The dry run's forecast is the writer's size, for baselines whose types only the format knows. */
    @Test
    void dryRunPredictsTheBytesTheWriterWrites() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        for (String[] plan : new String[][] {{"--uniform", "Q4_0"}, {"--preset", "Q4_K_M"}, {"--uniform", "Q8_0"}}) {
            Path out = tmp.resolve(plan[1] + ".gguf");
            Cli dry = Cli.run("quantize", model, "-o", out.toString(), plan[0], plan[1], "--dry-run");
            assertEquals(0, dry.exit(), dry.toString());
            Cli real = Cli.run("quantize", model, "-o", out.toString(), plan[0], plan[1], "-q");
            assertEquals(0, real.exit(), real.toString());
            assertEquals(Files.size(out), predicted(dry.out(), "gguf"), plan[1] + ": " + dry.out());
        }
        Path mlx = tmp.resolve("u4");
        Cli dry = Cli.run("quantize", model, "-o", mlx.toString(), "--uniform", "4", "--dry-run");
        assertEquals(0, Cli.run("quantize", model, "-o", mlx.toString(), "--uniform", "4", "-q").exit());
        long weights = Files.size(mlx.resolve("model.safetensors"));
        assertEquals(weights, predicted(dry.out(), "mlx"), weights * 0.002, dry.out());
    }

    private static long predicted(String out, String format) {
        Matcher m = Pattern.compile("Predicted size:.*?\\b" + format + " ([0-9,]+) bytes").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    /** --set mlx.dtype=bfloat16 on an F32 model casts first, as mlx_lm.convert --dtype does: the BF16 model's bytes. */
    @Test
    void mlxDtypeCastsBeforeQuantizing() throws IOException {
        Path fromF32 = tmp.resolve("f32-as-bf16");
        Path fromBf16 = tmp.resolve("bf16");
        assertEquals(0, Cli.run("quantize", SharedModels.model("stories260K").toString(), "-o", fromF32.toString(),
                "--uniform", "4", "--set", "mlx.dtype=bfloat16", "-q").exit());
        assertEquals(0, Cli.run("quantize", SharedModels.model("stories260K-bf16").toString(), "-o", fromBf16.toString(),
                "--uniform", "4", "-q").exit());
        assertArrayEquals(Files.readAllBytes(fromBf16.resolve("model.safetensors")),
                Files.readAllBytes(fromF32.resolve("model.safetensors")));
        assertTrue(Files.readString(fromF32.resolve("config.json")).contains("\"torch_dtype\": \"bfloat16\""));
    }

    /** mlx_lm.load needs a tokenizer: refused without one unless asked for, with a warning; verify says so. */
    @Test
    void mlxOutputWithoutTokenizer() throws IOException {
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(SharedModels.model("stories260K").resolve(f), bare.resolve(f));
        }
        Path out = tmp.resolve("out");
        Cli refused = Cli.run("quantize", bare.toString(), "-o", out.toString(), "--uniform", "4");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("no tokenizer") && refused.err().contains("mlx.allow_no_tokenizer"), refused.err());
        assertFalse(Files.exists(out));
        Cli allowed = Cli.run("quantize", bare.toString(), "-o", out.toString(), "--uniform", "4",
                "--set", "mlx.allow_no_tokenizer=true", "-q");
        assertEquals(0, allowed.exit(), allowed.toString());
        assertTrue(allowed.err().contains("warning: no tokenizer files"), allowed.err());
        Cli v = Cli.run("verify", out.toString());
        assertEquals(1, v.exit(), v.toString());
        assertTrue(v.out().contains("no tokenizer"), v.out());
    }

    /** 'swan config' prints the example; saved elsewhere it says what to run first instead of a bare path error. */
    @Test
    void configExampleFromAnotherFolder() throws IOException {
        Cli c = Cli.run("config");
        assertEquals(0, c.exit(), c.toString());
        assertTrue(c.out().contains("model: swan-demo/model-qwen3"));
        Path p = tmp.resolve("p.yaml");
        Files.writeString(p, c.out());
        Cli run = Cli.run("run", p.toString());
        assertEquals(1, run.exit(), run.toString());
        long line = c.out().lines().takeWhile(l -> !l.startsWith("model:")).count() + 1;
        assertTrue(run.err().contains(p + ":" + line + ":") && run.err().contains("run 'swan demo' in " + tmp), run.err());
    }

    @Test
    void badRegularExpressionsAreUsageErrors() {
        String model = SharedModels.model("stories260K").toString();
        for (String[] opt : new String[][] {{"--protect", "foo("}, {"--sensitive", "["}, {"--override", "a(=8"}}) {
            Cli r = Cli.run("quantize", model, "-o", tmp.resolve("x").toString(), opt[0], opt[1]);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains(opt[0]) && r.err().contains("position") && !r.err().contains("internal error"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    /** An output checked against a model it was not made from fails, in one line, for both formats. */
    @Test
    void verifyAgainstTheWrongSourceFails() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        String other = SharedModels.model("aidreams260K").toString();
        Path mlx = tmp.resolve("m");
        Path gguf = tmp.resolve("g.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", mlx.toString(), "--uniform", "4", "-q").exit());
        assertEquals(0, Cli.run("quantize", model, "-o", gguf.toString(), "--uniform", "Q8_0", "-q").exit());
        for (Path out : new Path[] {mlx, gguf}) {
            Cli bad = Cli.run("verify", out.toString(), "--source", other);
            assertEquals(1, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("--source is not the model this output was made from"), bad.err());
            assertFalse(bad.out().contains("OK:"), bad.out());
            // the BF16 copy of the same weights is the same model
            Cli ok = Cli.run("verify", out.toString(), "--source", SharedModels.model("stories260K-bf16").toString());
            assertEquals(0, ok.exit(), ok.toString());
        }
        Cli dir = Cli.run("verify", model, "--format", "gguf");
        assertEquals(1, dir.exit(), dir.toString());
        assertTrue(dir.err().contains("is a folder, but gguf outputs are files"), dir.err());
    }

    /** A GGUF type with the MLX format names the format that has it; the K-quant recipes work as --uniform too. */
    @Test
    void ggufTypesNameTheirFormat() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Cli r = Cli.run("quantize", model, "--uniform", "Q4_0", "-f", "mlx", "-o", tmp.resolve("m").toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("format 'mlx' has no such baseline (gguf has: add -f gguf)") && !r.err().contains("uniform_type"),
                r.err());
        Path km = tmp.resolve("km.gguf");
        Cli k = Cli.run("quantize", model, "--uniform", "Q4_K_M", "-o", km.toString(), "-q");
        assertEquals(0, k.exit(), k.toString());
        assertTrue(Files.size(km) > 0);
    }

    @Test
    void missingPluginFolderIsRefused() {
        Cli r = Cli.run("plugins", "--plugins", tmp.resolve("nope").toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--plugins") && r.err().contains("no such folder"), r.err());
    }

    @Test
    void manifestsAreNotOverwrittenWithoutForce() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path m = tmp.resolve("m.json");
        Files.writeString(m, "{}");
        Cli a = Cli.run("analyze", model, "-o", m.toString(), "--self-calibrate", "0", "-q");
        assertEquals(1, a.exit(), a.toString());
        assertTrue(a.err().contains("already exists") && a.err().contains("--force"), a.err());
        assertEquals("{}", Files.readString(m));
        // --force replaces only a manifest: "{}" is someone else's file
        assertEquals(1, Cli.run("analyze", model, "-o", m.toString(), "--self-calibrate", "0", "-q", "--force").exit());
        assertEquals("{}", Files.readString(m));
        Files.delete(m);
        assertEquals(0, Cli.run("analyze", model, "-o", m.toString(), "--self-calibrate", "0", "-q").exit());
        assertEquals(0, Cli.run("analyze", model, "-o", m.toString(), "--self-calibrate", "0", "-q", "--force").exit());
        Path plan = tmp.resolve("plan.json");
        Files.copy(m, plan);
        Cli b = Cli.run("allocate", m.toString(), "-o", plan.toString(), "--target-bits", "12");
        assertEquals(1, b.exit(), b.toString());
        assertEquals(Files.readString(m), Files.readString(plan));
        assertEquals(0, Cli.run("allocate", m.toString(), "-o", plan.toString(), "--target-bits", "12", "--force").exit());
    }

    /**
     * Help texts describe the defaults that run: the default allocator is rd with a size target (the help said
     * threshold), the default run measures only what rd reads (the help listed the paper's metrics as the
     * default), and --protect is a floor, not "keep in float".
     */
    @Test
    void helpTextsDescribeTheDefaultsThatRun() throws IOException {
        String help = Cli.run("quantize", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("rd (the default"), help);
        assertFalse(help.contains("default: threshold"), help);
        assertFalse(help.contains("(default: svd=0.20"), help);
        assertFalse(help.contains("Keep matching tensors in float"), help);
        assertTrue(help.contains("Default: the size of the format's usual baseline"), help);
        // and the resolved pipeline agrees: a default analyze plans with rd and measures qerror only
        Path m = tmp.resolve("d.json");
        assertEquals(0, Cli.run("analyze", SharedModels.model("stories260K").toString(), "-o", m.toString(), "-q").exit());
        String manifest = Files.readString(m);
        assertTrue(manifest.contains("\"id\" : \"rd\""), "allocator rd");
        assertFalse(manifest.contains("\"id\" : \"svd\""), "no paper metric");
    }

    @Test
    void typosGetSuggestions() {
        Cli c = Cli.run("quantise");
        assertEquals(2, c.exit());
        assertTrue(c.err().contains("Did you mean: quantize"), c.err());
        Cli o = Cli.run("quantize", SharedModels.model("stories260K").toString(), "--taget-size", "1M");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("--target-size"), o.err());
    }

    /** 'swan plan' shows the plan tensor by tensor, filtered by name and bits. */
    @Test
    void planCommandPrintsEachTensor() throws IOException {
        Path m = tmp.resolve("m.json");
        assertEquals(0, Cli.run("analyze", SharedModels.model("stories260K").toString(), "-o", m.toString(),
                "--self-calibrate", "0", "-q").exit());
        Cli all = Cli.run("plan", m.toString());
        assertEquals(0, all.exit(), all.toString());
        assertTrue(all.out().contains("48 of 48 tensors"), all.out());
        assertTrue(all.out().lines().anyMatch(l -> l.startsWith("model.layers.0.self_attn.q_proj.weight") && l.contains("attn_q")
                && l.contains("64x64")), all.out());
        Cli some = Cli.run("plan", m.toString(), "--match", "layers\\.1\\.mlp", "--bits", "16");
        assertEquals(0, some.exit(), some.toString());
        assertTrue(some.out().contains("model.layers.1.mlp.down_proj.weight") && !some.out().contains("q_proj"), some.out());
        assertTrue(Cli.run("--help").out().contains("plan"));
    }
}
