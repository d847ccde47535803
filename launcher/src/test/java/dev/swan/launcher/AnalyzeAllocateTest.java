package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SyntheticModel;
import dev.swan.testkit.SharedModels;
import dev.swan.api.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeAllocateTest {
    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        System.clearProperty("swan.test.explodeAt");
    }

    static JsonNode read(Path p) throws IOException {
        return new ObjectMapper().readTree(p.toFile());
    }

    static List<String> iterate(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static List<String> decisions(JsonNode m) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : m.get("tensors")) out.add(t.get("name").asText() + "=" + t.get("decision").toString());
        return out;
    }

    @Test
    void analyzesStoriesWithReasonsForAll48Tensors() throws IOException {
        Path manifest = tmp.resolve("stories.json");
        Cli r = Cli.run("analyze", SharedModels.model("stories260K").toString(), "-o", manifest.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode m = read(manifest);
        assertEquals("swan-manifest/1", m.get("schema").asText());
        assertEquals(48, m.get("tensors").size());
        for (JsonNode t : m.get("tensors")) {
            assertFalse(t.get("decision").get("reason").asText().isEmpty(), t.toString());
            if (t.get("name").asText().endsWith("down_proj.weight")) {
                assertEquals(16, t.get("decision").get("bits").asInt(), "172 columns: no MLX group divides the row");
            }
            if (!t.has("skip_reason")) {
                // only what the default (rd, self-calibrated) plan reads, none of the paper's four; the stored
                // copy of the tied head is not a weight of the model, so it has no sensitivity
                boolean storedHead = t.get("name").asText().equals("lm_head.weight");
                assertEquals(storedHead ? List.of("qerror") : List.of("qerror", "selfcal"),
                        iterate(t.get("metrics").fieldNames()), t.toString());
            }
        }
        JsonNode s = m.get("summary");
        assertTrue(s.get("predicted_bytes").has("mlx") && !s.get("predicted_bytes").has("gguf"),
                "a plan in MLX's encodings is forecast in MLX only (in GGUF it would be refused): " + s);
        assertTrue(s.get("effective_bits").get("mlx").asDouble() > 4);
        assertTrue(r.out().contains("Predicted size:") && r.out().contains(" mlx "), r.out());
        assertFalse(Files.exists(tmp.resolve("stories.json.partial")), "journal removed when done");
        List<String> listed = new java.util.ArrayList<>();
        for (JsonNode mi : m.get("metrics")) listed.add(mi.get("id").asText());
        assertEquals(List.of("qerror"), listed, "the manifest lists what ran");
        // the paper's allocator measures the paper's four metrics
        Path paper = tmp.resolve("paper.json");
        assertEquals(0, Cli.run("analyze", SharedModels.model("stories260K").toString(), "-o", paper.toString(),
                "--allocator", "threshold").exit());
        assertTrue(read(paper).get("summary").get("predicted_bytes").has("gguf"),
                "a plan in bits only is portable: forecast in every installed format");
        for (JsonNode t : read(paper).get("tensors")) {
            if (t.has("skip_reason")) continue;
            assertEquals(List.of("svd", "kurtosis", "noise", "recon"), iterate(t.get("metrics").fieldNames()), t.toString());
            assertTrue(t.get("metrics").get("svd").get("details").get("exact").asDouble() == 1.0, "64-wide: exact SVD");
        }
        // an rd plan re-planned by the paper's allocator: refused in one line, not planned from nothing
        Cli refused = Cli.run("allocate", manifest.toString(), "--allocator", "threshold");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("--allocator threshold") && refused.err().strip().lines().count() == 1, refused.err());
    }

    /** The SWAN paper's metrics and weights, listed so that a manifest serves both allocators. */
    static final String PAPER = "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2";

    @Test
    void allocateReproducesAnalyzeWithoutTheWeights() throws IOException {
        Path model = tmp.resolve("m");
        SyntheticModel.write(SyntheticModel.llama(), model);
        Path manifest = tmp.resolve("a.json");
        assertEquals(0, Cli.run("analyze", model.toString(), "-o", manifest.toString(), "--target-bits", "8",
                "--self-calibrate", "0", "--metrics", PAPER).exit());
        AnalyzeAllocateTest.deleteTree(model); // allocate must not need the weights
        Path plan = tmp.resolve("plan.json");
        Cli r = Cli.run("allocate", manifest.toString(), "--target-bits", "8", "-o", plan.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(decisions(read(manifest)), decisions(read(plan)));
        // the format the plan was sized for; another format's header (a GGUF vocabulary) needs the model folder
        assertEquals(read(manifest).get("summary").get("effective_bits").get("mlx"),
                read(plan).get("summary").get("effective_bits").get("mlx"));
        Cli other = Cli.run("allocate", manifest.toString(), "--set", "threshold.t8=0.3");
        assertEquals(0, other.exit(), other.toString());
        assertTrue(other.out().contains("t8 0.3"), other.out());
    }

    /** A few hundred tensors: budget mode lands within ±0.05 effective bits of 5.0 and 6.0. */
    @Test
    void budgetModeOnSyntheticModel() throws IOException {
        Path model = tmp.resolve("big");
        SyntheticModel.write(SyntheticModel.llama().withSize(128, 384, 40, 4, 2, 32, 512).withDtype(DType.BF16), model);
        Path manifest = tmp.resolve("big.json");
        Cli a = Cli.run("analyze", model.toString(), "-o", manifest.toString(), "-q", "--self-calibrate", "0",
                "--metrics", PAPER);
        assertEquals(0, a.exit(), a.toString());
        assertTrue(read(manifest).get("tensors").size() > 300);
        for (String target : new String[] {"5.0", "6.0"}) {
            Path plan = tmp.resolve("p" + target + ".json");
            Cli r = Cli.run("allocate", manifest.toString(), "--target-bits", target, "-o", plan.toString(),
                    "--allocator", "threshold");
            assertEquals(0, r.exit(), r.toString());
            double eff = read(plan).get("plan_settings").get("effective_bits").asDouble();
            assertEquals(Double.parseDouble(target), eff, 0.05, r.out());
            assertTrue(r.out().contains("chosen for target"), r.out());
            Path rdPlan = tmp.resolve("rd" + target + ".json");
            Cli rd = Cli.run("allocate", manifest.toString(), "--target-bits", target, "-o", rdPlan.toString());
            assertEquals(0, rd.exit(), rd.toString());
            assertEquals("rd", read(rdPlan).get("allocator").get("id").asText(), "the default with a target");
            assertEquals(Double.parseDouble(target), read(rdPlan).get("plan_settings").get("effective_bits").asDouble(), 0.05);
        }
        Cli low = Cli.run("allocate", manifest.toString(), "--target-bits", "2.5", "--allocator", "threshold");
        assertEquals(1, low.exit());
        assertTrue(low.err().contains("below the smallest achievable plan") && low.err().contains("bits/weight"), low.err());
    }

    @Test
    void sameManifestOnOneAndTwoThreads() throws IOException {
        Path model = tmp.resolve("t");
        SyntheticModel.write(SyntheticModel.qwen3().withSize(256, 768, 2, 4, 2, 64, 1024), model);
        Path one = tmp.resolve("one.json");
        Path two = tmp.resolve("two.json");
        assertEquals(0, Cli.run("analyze", model.toString(), "-o", one.toString(), "-t", "1").exit());
        assertEquals(0, Cli.run("analyze", model.toString(), "-o", two.toString(), "-t", "2").exit());
        JsonNode a = read(one).get("tensors");
        JsonNode b = read(two).get("tensors");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).get("metrics"), b.get(i).get("metrics"), a.get(i).get("name").asText());
            assertEquals(a.get(i).get("decision"), b.get(i).get("decision"));
        }
    }

    @Test
    void targetMissedOnlyAfterMeasuringKeepsTheMeasurements() throws IOException {
        Path model = tmp.resolve("t");
        SyntheticModel.write(SyntheticModel.llama(), model);
        Path manifest = tmp.resolve("t.json");
        // t16 = 0 sends every measured tensor to float: only the measurements show that 10 bits is out of reach
        Cli missed = Cli.run("analyze", model.toString(), "-o", manifest.toString(), "--set", "threshold.t16=0",
                "--target-bits", "10", "-q");
        assertEquals(1, missed.exit(), missed.toString());
        assertTrue(missed.err().contains("--target-bits") && missed.err().contains("below the smallest achievable plan")
                && missed.err().contains("measurements are kept"), missed.toString());
        assertFalse(missed.err().contains("before measuring"), missed.err());
        Path journal = tmp.resolve("t.json.partial");
        assertEquals(39, Files.readAllLines(journal).size(), "a header and every tensor");
        Cli ok = Cli.run("analyze", model.toString(), "-o", manifest.toString(), "--target-bits", "10",
                "--allocator", "threshold", "-q");
        assertEquals(0, ok.exit(), ok.toString());
        assertFalse(Files.exists(journal));
    }

    @Test
    void crashingPluginStopsTheRunAndResumeSkipsFinishedTensors() throws IOException {
        Path model = tmp.resolve("r");
        SyntheticModel.write(SyntheticModel.llama(), model);
        Path manifest = tmp.resolve("r.json");
        String metrics = "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2,explode=0";
        System.setProperty("swan.test.explodeAt", "layers.2.mlp");
        Cli bad = Cli.run("analyze", model.toString(), "-o", manifest.toString(), "--metrics", metrics, "-t", "1",
                "--self-calibrate", "0");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("plugin 'explode'") && bad.err().contains("model.layers.2.mlp")
                && bad.err().contains("boom on purpose"), bad.err());
        assertFalse(Files.exists(manifest), "nothing written");
        Path journal = tmp.resolve("r.json.partial");
        assertTrue(Files.exists(journal));
        long done = Files.readAllLines(journal).size() - 1;
        assertTrue(done > 5, "finished tensors were journaled: " + done);
        Cli changed = Cli.run("analyze", model.toString(), "-o", manifest.toString(), "--metrics", metrics, "--seed", "7",
                "--self-calibrate", "0");
        assertEquals(1, changed.exit());
        assertTrue(changed.err().contains("different seed") && changed.err().contains("--restart"), changed.err());
        System.clearProperty("swan.test.explodeAt");
        JsonNode firstLine = new ObjectMapper().readTree(Files.readAllLines(journal).get(1));
        Cli ok = Cli.run("analyze", model.toString(), "-o", manifest.toString(), "--metrics", metrics,
                "--self-calibrate", "0");
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().contains("Resuming an interrupted run: " + done + " of 38 tensors kept from " + journal), ok.out());
        JsonNode m = read(manifest);
        assertEquals(38, m.get("tensors").size());
        String name = firstLine.get("analysis").get("name").asText();
        for (JsonNode t : m.get("tensors")) {
            if (t.get("name").asText().equals(name) && t.has("seconds")) {
                assertEquals(firstLine.get("seconds"), t.get("seconds"), "reused, not recomputed");
            }
        }
        assertFalse(Files.exists(journal));
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
