package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SyntheticModel;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        System.clearProperty("swan.test.explodeAt");
    }

    @Test
    void mlxUniformAndSwanPlansPassVerify() throws IOException {
        String model = SharedModels.model("stories260K-bf16").toString();
        Path u4 = tmp.resolve("u4");
        Cli r = Cli.run("quantize", model, "-o", u4.toString(), "--uniform", "4");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("affine4/g64") && r.out().contains("Bits/weight"), r.out());
        assertTrue(r.out().contains("BF16"), "down_proj (172 columns) and norms stay BF16: " + r.out());
        Path swan = tmp.resolve("swan");
        Cli s = Cli.run("quantize", model, "-o", swan.toString());
        assertEquals(0, s.exit(), s.toString());
        for (Path out : new Path[] {u4, swan}) {
            Cli v = Cli.run("verify", out.toString(), "--source", model);
            assertEquals(0, v.exit(), v.toString());
            assertTrue(v.out().contains("OK:"));
            try (var files = Files.list(out)) {
                assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".")), "no temp files left");
            }
        }
        assertFalse(Files.readString(swan.resolve("model.safetensors.index.json")).contains("lm_head"), "tied: no head");
    }

    /** One baseline at a time: picocli's exclusive group refuses both before anything is read. */
    @Test
    void uniformAndPresetAreExclusive() {
        Cli r = Cli.run("quantize", tmp.resolve("absent").toString(), "--uniform", "4", "--preset", "Q4_K_M");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--uniform") && r.err().contains("--preset") && r.err().contains("mutually exclusive"), r.err());
    }

    /** Option values picocli parses (maps, converters, groups); the records they build check them, one line each. */
    @Test
    void planOptionValuesAreCheckedWhereTheyAreParsed() {
        String model = SharedModels.model("stories260K").toString();
        String[][] bad = {
                {"--target-bits", "4", "--target-size", "1MB"}, {"mutually exclusive"},
                {"--target-size", "lots"}, {"'lots': expected a size"},
                {"--override", "mlp=7"}, {"bits must be one of 2, 3, 4, 5, 6, 8, 16; got 7"},
                {"--override", "mlp=4/48"}, {"group size must be 32, 64 or 128; got 48"},
                {"--group-size", "4=65"}, {"--group-size 4=65: group size must be 32, 64 or 128; got 65"},
                {"--metrics", "svd=much"}, {"'much' is not a double"},
                {"--set", "rank=3"}, {"--set rank=3: expected PLUGIN.PARAM=VALUE"}};
        for (int i = 0; i < bad.length; i += 2) {
            String[] args = new String[bad[i].length + 5];
            System.arraycopy(new String[] {"quantize", model, "-o", tmp.resolve("x.gguf").toString(), "--dry-run"}, 0, args, 0, 5);
            System.arraycopy(bad[i], 0, args, 5, bad[i].length);
            Cli r = Cli.run(args);
            assertEquals(2, r.exit(), String.join(" ", bad[i]) + ": " + r);
            assertTrue(r.err().contains(bad[i + 1][0]) && !r.err().contains("internal error"), r.err());
        }
        Cli ok = Cli.run("quantize", model, "-o", tmp.resolve("x.gguf").toString(), "--dry-run", "--allocator", "threshold",
                "--metrics", "svd=0.5,kurtosis=0.5", "--group-size", "4=64", "--override", "layers\\.0\\.=8/64");
        assertEquals(0, ok.exit(), ok.toString());
        assertFalse(Files.exists(tmp.resolve("x.gguf")));
    }

    /** The output's name says the format: -o out.gguf writes a GGUF file; a name -f contradicts is refused. */
    @Test
    void formatFromTheOutputName() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path gguf = tmp.resolve("named.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", gguf.toString(), "--uniform", "Q8_0", "-q").exit());
        assertTrue(Files.isRegularFile(gguf), "a GGUF file, not an MLX directory named .gguf");
        Cli r = Cli.run("quantize", model, "-o", tmp.resolve("x.gguf").toString(), "-f", "mlx", "--uniform", "4");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("names a gguf file but -f mlx writes a directory"), r.err());
        assertTrue(!Files.exists(tmp.resolve("x.gguf")));
    }

    /** The default plan (rd, self-calibrated, importance-weighted GGUF): the same bytes on one and two threads. */
    @Test
    void defaultGgufIsTheSameOnOneAndTwoThreads() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path one = tmp.resolve("one.gguf");
        Path two = tmp.resolve("two.gguf");
        assertEquals(0, Cli.run("quantize", model, "-f", "gguf", "-o", one.toString(), "-t", "1", "-q").exit());
        assertEquals(0, Cli.run("quantize", model, "-f", "gguf", "-o", two.toString(), "-t", "2", "-q").exit());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
    }

    @Test
    void existingOutputIsRefusedUnlessForced() throws IOException {
        String model = SharedModels.model("stories260K-bf16").toString();
        Path out = tmp.resolve("o");
        Files.createDirectories(out);
        Cli r = Cli.run("quantize", model, "-o", out.toString(), "--uniform", "4");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("already exists") && r.err().contains("--force"), r.err());
        assertEquals(0, Cli.run("quantize", model, "-o", out.toString(), "--uniform", "4", "--force").exit());
        assertTrue(Files.exists(out.resolve("config.json")));
    }

    @Test
    void dryRunWritesNothingAndFailureLeavesNothing() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path out = tmp.resolve("dry");
        Cli d = Cli.run("quantize", model, "-o", out.toString(), "--dry-run", "--target-bits", "16");
        assertEquals(0, d.exit(), d.toString());
        assertTrue(d.out().contains("Dry run") && d.out().contains("Predicted size"), d.out());
        assertFalse(Files.exists(out));
        System.setProperty("swan.test.explodeAt", "layers.4");
        Cli bad = Cli.run("quantize", model, "-o", out.toString(), "-f", "gguf",
                "--metrics", "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2,explode=0");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("plugin 'explode'") && bad.err().contains("no output was written")
                && bad.err().contains("dry.swan.json.partial"), bad.err());
        try (var files = Files.list(tmp)) {
            // no output, no temporary: only the measurements, kept for a re-run as the message says
            assertFalse(files.anyMatch(f -> !f.getFileName().toString().equals("dry")
                    && !f.getFileName().toString().equals("dry.swan.json.partial") && f.toString().contains("dry")));
        }
        assertFalse(Files.exists(out));
        Cli seven = Cli.run("quantize", model, "-o", out.toString(), "--uniform", "7");
        assertEquals(2, seven.exit(), "a usage error, as --preset Q4_K_X is");
        assertTrue(seven.err().contains("--uniform 7") && seven.err().contains("bit widths: 2, 3, 4, 5, 6, 8"), seven.err());
        assertFalse(Files.exists(out));
    }

    /**
     * A saved plan writes the one-shot run's bytes: the importance the GGUF quantizers round with travels
     * beside the manifest (before, all 30 quantized tensors of qwen3-gutenberg-4m differed), and a manifest
     * whose importance file is gone is refused in one line rather than written differently.
     */
    @Test
    void aSavedPlanWritesTheOneShotBytes() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path oneShot = tmp.resolve("one-shot.gguf");
        Path manifest = tmp.resolve("q.json");
        Path fromPlan = tmp.resolve("from-plan.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", oneShot.toString(), "-q").exit());
        assertEquals(0, Cli.run("analyze", model, "-f", "gguf", "-o", manifest.toString(), "-q").exit());
        assertTrue(Files.exists(tmp.resolve("q.json.importance.safetensors")), "the importance beside the manifest");
        Cli w = Cli.run("quantize", model, "--manifest", manifest.toString(), "-o", fromPlan.toString(), "-q");
        assertEquals(0, w.exit(), w.toString());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(oneShot), Files.readAllBytes(fromPlan)), "same bytes");
        Files.delete(tmp.resolve("q.json.importance.safetensors"));
        Cli missing = Cli.run("quantize", model, "--manifest", manifest.toString(), "-o", tmp.resolve("x.gguf").toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("importance") && missing.err().strip().lines().count() == 1, missing.err());
    }

    /**
     * One planning rule for every command: allocate re-plans a manifest with the allocator and default
     * target analyze used (rd at the format's usual baseline size, not the paper's thresholds without one);
     * a plan made for GGUF is not written as MLX in float by accident, but refused in one line.
     */
    @Test
    void allocateAndQuantizePlanAsAnalyzeDoesAndKeepTheirFormat() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path manifest = tmp.resolve("q.json");
        Cli a = Cli.run("analyze", model, "-f", "gguf", "-o", manifest.toString());
        assertEquals(0, a.exit(), a.toString());
        Path replanned = tmp.resolve("p.json");
        Cli p = Cli.run("allocate", manifest.toString(), "-o", replanned.toString());
        assertEquals(0, p.exit(), p.toString());
        com.fasterxml.jackson.databind.JsonNode before = new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest.toFile());
        com.fasterxml.jackson.databind.JsonNode after = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replanned.toFile());
        assertEquals(before.get("allocator").get("id"), after.get("allocator").get("id"));
        assertEquals(before.get("policy").get("target"), after.get("policy").get("target"));
        assertEquals(before.get("summary").get("predicted_bytes"), after.get("summary").get("predicted_bytes"));
        Path mlx = tmp.resolve("qm");
        Cli w = Cli.run("quantize", model, "--manifest", manifest.toString(), "-f", "mlx", "-o", mlx.toString());
        assertEquals(1, w.exit(), w.toString());
        assertTrue(w.err().contains("-f gguf") && w.err().strip().lines().count() == 1, w.err());
        assertFalse(Files.exists(mlx), "nothing written");
        Cli r = Cli.run("allocate", manifest.toString(), "-f", "mlx");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("-f mlx"), r.err());
    }

    /**
     * --override applies on top of --preset and --uniform, as llama-quantize's --tensor-type on top of a
     * preset, with bits or the format's own type (before, a preset ignored it without a word and a type was
     * refused); a type the format cannot store for a tensor is refused in one line naming what it offers.
     */
    @Test
    void overridesApplyOnTopOfPresetsWithBitsOrTypes() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path plain = tmp.resolve("plain.gguf");
        Path typed = tmp.resolve("typed.gguf");
        Path bits = tmp.resolve("bits.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", plain.toString(), "--preset", "Q4_K_M", "-q").exit());
        Cli t = Cli.run("quantize", model, "-o", typed.toString(), "--preset", "Q4_K_M", "--override", "lm_head=Q8_0");
        assertEquals(0, t.exit(), t.toString());
        assertTrue(t.out().contains("Q8_0        1"), t.out());
        assertEquals(0, Cli.run("quantize", model, "-o", bits.toString(), "--preset", "Q4_K_M", "--override", "lm_head=8", "-q").exit());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(typed), Files.readAllBytes(bits)), "8 bits is Q8_0 in GGUF");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(plain), Files.readAllBytes(typed)), "the override changed the file");
        Cli u = Cli.run("quantize", model, "-o", tmp.resolve("u.gguf").toString(), "--uniform", "Q4_0", "--override",
                "mlp\\.down_proj=Q6_K");
        assertEquals(0, u.exit(), u.toString());
        assertTrue(u.out().contains("Q6_K        4"), u.out());
        Cli rd = Cli.run("quantize", model, "-o", tmp.resolve("rd.gguf").toString(), "--override", "embed_tokens=Q8_0",
                "--self-calibrate", "0");
        assertEquals(0, rd.exit(), rd.toString());
        Cli bad = Cli.run("quantize", model, "-o", tmp.resolve("bad.gguf").toString(), "--preset", "Q4_K_M", "--override", "lm_head=Q9_X");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().strip().lines().count() == 1 && bad.err().contains("Q8_0"), bad.err());
        Cli mlx = Cli.run("quantize", model, "-o", tmp.resolve("m").toString(), "--uniform", "4", "--override", "lm_head=8");
        assertEquals(0, mlx.exit(), mlx.toString());
        assertTrue(mlx.out().contains("affine8/g64        1"), mlx.out());
    }

    @Test
    void quantizeFromManifestAndGguf() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path manifest = tmp.resolve("m.json");
        // the paper's thresholds plan bits, which the format maps to types (with llama-quantize's fallbacks)
        assertEquals(0, Cli.run("analyze", model, "-o", manifest.toString(), "--format", "gguf", "--allocator", "threshold").exit());
        Path gguf = tmp.resolve("s.gguf");
        Cli q = Cli.run("quantize", model, "-f", "gguf", "--manifest", manifest.toString(), "-o", gguf.toString());
        assertEquals(0, q.exit(), q.toString());
        assertTrue(q.out().contains("Q5_0"), "Q4_K falls back to Q5_0 on 64-wide rows: " + q.out());
        // one line per distinct fallback reason, not one per tensor
        assertTrue(q.out().lines().anyMatch(l -> l.contains("is not a multiple of Q4_K's block of 256: Q5_0 (")
                && l.contains(" more)")), q.out());
        assertEquals(1, q.out().lines().filter(l -> l.contains("Q4_K's block of 256: Q5_0")).count(), q.out());
        Cli v = Cli.run("verify", gguf.toString(), "--source", model, "--json");
        assertEquals(0, v.exit(), v.toString());
        assertTrue(v.out().contains("\"ok\" : true"), v.out());
    }

    @Test
    void interruptedQuantizeResumesItsMeasurements() throws IOException {
        Path model = tmp.resolve("r");
        SyntheticModel.write(SyntheticModel.llama(), model);
        Path out = tmp.resolve("r-mlx");
        String metrics = "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2,explode=0";
        System.setProperty("swan.test.explodeAt", "layers.2.mlp");
        Cli bad = Cli.run("quantize", model.toString(), "-o", out.toString(), "--metrics", metrics, "-t", "1",
                "--self-calibrate", "0");
        assertEquals(1, bad.exit(), bad.toString());
        assertFalse(Files.exists(out), "nothing written");
        Path journal = tmp.resolve("r-mlx.swan.json.partial");
        assertTrue(Files.exists(journal), "measurements kept next to the output");
        // tensors measured before the crash are not measured again: exploding on one of them does not fire
        System.setProperty("swan.test.explodeAt", "layers.0.self_attn.q_proj");
        Cli resumed = Cli.run("quantize", model.toString(), "-o", out.toString(), "--metrics", metrics, "-q",
                "--self-calibrate", "0");
        assertEquals(0, resumed.exit(), resumed.toString());
        assertTrue(Files.exists(out.resolve("config.json")));
        assertFalse(Files.exists(journal), "the journal goes once the output is in place");
        Cli restarted = Cli.run("quantize", model.toString(), "-o", tmp.resolve("r2-mlx").toString(), "--metrics", metrics,
                "--restart", "-q");
        assertEquals(1, restarted.exit(), "a fresh run measures layers.0 again");
        assertTrue(restarted.err().contains("layers.0.self_attn.q_proj"), restarted.err());
    }
}
