package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SyntheticModel;
import dev.swan.launcher.pipeline.AtomicOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each hole the fuzz and fault campaign found, as a regression test: one clean line, quickly, nothing written. */
class HostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path model;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hostile");
        t.setDaemon(true);
        return t;
    });

    @BeforeEach
    void model() throws IOException {
        model = tmp.resolve("m");
        SyntheticModel.write(SyntheticModel.llama(), model);
    }

    @AfterEach
    void stop() {
        runner.shutdownNow();
    }

    private Cli run(String... args) throws Exception {
        Future<Cli> f = runner.submit(() -> Cli.run(args));
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail("hangs: swan " + String.join(" ", args));
            return null;
        }
    }

    /** One line naming the problem, exit 1 or 2, no internal error, no output. */
    private void refused(String expected, Path out, String... args) throws Exception {
        Cli r = run(args);
        assertTrue(r.exit() == 1 || r.exit() == 2, r.toString());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("swan: ") && !r.err().contains("internal error") && first.contains(expected), r.toString());
        if (out != null) assertFalse(Files.exists(out), "nothing written at " + out);
    }

    private Path out() {
        return tmp.resolve("out");
    }

    private String[] quantize(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("quantize", model.toString(), "-o", out().toString(), "-q",
                "--self-calibrate", "0"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @SuppressWarnings("unchecked")
    private void editConfig(String key, Object value) throws IOException {
        Map<String, Object> c = JSON.readValue(model.resolve("config.json").toFile(), Map.class);
        if (value == null) c.remove(key);
        else c.put(key, value);
        Files.writeString(model.resolve("config.json"), JSON.writeValueAsString(c));
    }

    // ---------------------------------------------------------------- hangs

    @Test
    void fifosAndDevicesInPlaceOfFilesAreRefused() throws Exception {
        for (String name : new String[] {"model.safetensors", "config.json", "tokenizer.json"}) {
            Path m = tmp.resolve("fifo-" + name);
            SyntheticModel.write(SyntheticModel.llama(), m);
            Files.delete(m.resolve(name));
            Process p = new ProcessBuilder("mkfifo", m.resolve(name).toString()).start();
            assertEquals(0, p.waitFor());
            refused("not a regular file", tmp.resolve("o-" + name), "quantize", m.toString(), "-o",
                    tmp.resolve("o-" + name).toString(), "-f", "gguf", "--uniform", "Q8_0", "-q");
        }
        Files.delete(model.resolve("config.json"));
        Files.createSymbolicLink(model.resolve("config.json"), Path.of("/dev/zero"));
        refused("not a regular file", out(), quantize("--uniform", "4"));
    }

    @Test
    void aJournalThatIsAFifoIsRefused() throws Exception {
        Path m = tmp.resolve("m.json");
        Process p = new ProcessBuilder("mkfifo", tmp.resolve("m.json.partial").toString()).start();
        assertEquals(0, p.waitFor());
        refused("not a regular file", m, "analyze", model.toString(), "-o", m.toString(), "--self-calibrate", "0", "-q");
    }

    @Test
    void aShardThatIsAFifoIsNamedAsOne() throws Exception {
        Map<String, String> weights = new java.util.LinkedHashMap<>();
        try (var m = dev.swan.toolkit.model.ModelFolder.open(model)) {
            for (var t : m.tensors()) weights.put(t.name(), "model-00002-of-00002.safetensors");
        }
        Files.delete(model.resolve("model.safetensors"));
        Files.writeString(model.resolve("model.safetensors.index.json"), JSON.writeValueAsString(Map.of("weight_map", weights)));
        Process p = new ProcessBuilder("mkfifo", model.resolve("model-00002-of-00002.safetensors").toString()).start();
        assertEquals(0, p.waitFor());
        refused("model-00002-of-00002.safetensors: is not a regular file", out(), quantize("--uniform", "4"));
    }

    @Test
    void damagedOrBinaryJournalsAreRefusedOrRemeasuredInOneLine() throws Exception {
        Path m = tmp.resolve("m.json");
        Path journal = tmp.resolve("m.json.partial");
        String[] analyze = {"analyze", model.toString(), "-o", m.toString(), "--self-calibrate", "0", "-q"};
        Files.write(journal, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n', (byte) 0xc3, '\n'});
        refused("m.json.partial:1: not an analysis journal swan wrote", m, analyze);
        Files.writeString(journal, "{\"journal\":\"swan-analysis/2\",\"identity\":{\"fingerprint\"");
        refused("m.json.partial:1: not an analysis journal swan wrote", m, analyze);
        assertEquals(0, run("analyze", model.toString(), "-o", m.toString(), "--self-calibrate", "0", "-q", "--restart").exit());
        // a journal of this very run, with binary garbage for its records: they are measured again
        Path m2 = tmp.resolve("m2.json");
        String metrics = "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2,explode=0";
        System.setProperty("swan.test.explodeAt", "layers.2.mlp");
        try {
            assertEquals(1, run("analyze", model.toString(), "-o", m2.toString(), "--metrics", metrics, "--self-calibrate", "0", "-q").exit());
        } finally {
            System.clearProperty("swan.test.explodeAt");
        }
        Path j2 = tmp.resolve("m2.json.partial");
        byte[] header = (Files.readAllLines(j2).get(0) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] garbage = {(byte) 0xc3, (byte) 0x28, (byte) 0xff, '\n', 'x', (byte) 0x80, '\n'};
        byte[] both = java.util.Arrays.copyOf(header, header.length + garbage.length);
        System.arraycopy(garbage, 0, both, header.length, garbage.length);
        Files.write(j2, both);
        Cli resumed = run("analyze", model.toString(), "-o", m2.toString(), "--metrics", metrics, "--self-calibrate", "0");
        assertEquals(0, resumed.exit(), resumed.toString());
        assertTrue(resumed.out().contains("failed their checksum"), resumed.out());
    }

    @Test
    void deeplyNestedPipelinesAreRefusedAtTheirLine() throws Exception {
        Path p = tmp.resolve("deep.yaml");
        StringBuilder b = new StringBuilder("model: " + model + "\nformat:\n");
        for (int i = 0; i < 150; i++) b.append(" ".repeat(i + 1)).append("a:\n");
        Files.writeString(p, b.toString());
        refused(p + ":67:", out(), "run", p.toString());
        Files.writeString(p, "model: " + model + "\nformat: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        refused(p + ":2:", out(), "run", p.toString());
        Cli r = run("run", p.toString());
        assertTrue(r.err().contains("nested more than 64 levels"), r.toString());
    }

    @Test
    void hugePipelinesAreRefusedQuickly() throws Exception {
        Path p = tmp.resolve("p.yaml");
        Files.writeString(p, "# " + "x".repeat(4 << 20) + "\nmodel: " + model + "\n");
        long t0 = System.nanoTime();
        refused("more than the", out(), "run", p.toString());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused within seconds");
    }

    @Test
    void ggufHeaderCountsDoNotSizeLoops() throws Exception {
        Path g = tmp.resolve("g.gguf");
        assertEquals(0, run("quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q").exit());
        for (long claim : new long[] {1_000_000L, 4_000_000_000L}) {
            patchU32(g, "llama.block_count", claim);
            Cli v = run("verify", g.toString());
            assertEquals(1, v.exit(), v.toString());
            assertTrue(v.err().contains("block_count " + claim + " but the file holds only"), v.err());
        }
    }

    // ---------------------------------------------------------------- verify fooled

    /** Header values llama.cpp cannot use: verify refuses them (it accepted each before). */
    @Test
    void verifyChecksContextLengthFileTypeAndVocabularySize() throws Exception {
        Path g = tmp.resolve("g.gguf");
        assertEquals(0, run("quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q").exit());
        byte[] good = Files.readAllBytes(g);
        Object[][] bad = {{"llama.context_length", 0L}, {"llama.context_length", 4_294_967_295L},
                {"general.file_type", 1_000_000L}, {"llama.vocab_size", 1_000_000L}};
        for (Object[] b : bad) {
            Files.write(g, good);
            patchU32(g, (String) b[0], (Long) b[1]);
            Cli v = run("verify", g.toString());
            assertEquals(1, v.exit(), b[0] + " " + b[1] + ": " + v);
            assertTrue(v.err().contains((String) b[0]), v.err());
        }
    }

    @Test
    void verifyChecksAlignmentEpsilonFreqBaseAndValueLength() throws Exception {
        Path g = tmp.resolve("g.gguf");
        assertEquals(0, run("quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q").exit());
        byte[] good = Files.readAllBytes(g);
        Cli ok = run("verify", g.toString());
        assertEquals(0, ok.exit(), ok.toString());
        // swan writes no general.alignment (32 is the default): give the file one in place of another UINT32
        // key of the same length, so the layout stays and only the alignment claim changes
        byte[] renamed = good.clone();
        int at = FuzzTest.indexOf(renamed, "llama.block_count".getBytes(StandardCharsets.US_ASCII));
        System.arraycopy("general.alignment".getBytes(StandardCharsets.US_ASCII), 0, renamed, at, 17);
        for (long a : new long[] {1, 1L << 31}) {
            Files.write(g, renamed);
            patchU32(g, "general.alignment", a);
            Cli v = run("verify", g.toString());
            assertEquals(1, v.exit(), "alignment " + a + ": " + v);
        }
        for (String key : new String[] {"llama.attention.layer_norm_rms_epsilon", "llama.rope.freq_base"}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, 0f, -1f}) {
                Files.write(g, good);
                patchF32(g, key, bad);
                Cli v = run("verify", g.toString());
                assertEquals(1, v.exit(), key + " " + bad + ": " + v);
                assertTrue(v.out().contains(key), v.out());
            }
        }
        Files.write(g, good);
        patchU32(g, "llama.attention.value_length", 7);
        Cli v = run("verify", g.toString());
        assertEquals(1, v.exit(), v.toString());
        assertTrue(v.out().contains("value_length"), v.out());
    }

    // ---------------------------------------------------------------- internal errors that name nothing

    @Test
    void tokenizerTypeConfusionIsOneLine() throws Exception {
        Path tj = model.resolve("tokenizer.json");
        String original = Files.readString(tj);
        String[][] cases = {{"added_tokens", "null"}, {"model.vocab", "\"x\""}, {"model.merges", "[[1,2]]"}};
        for (String[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = JSON.readValue(original, Map.class);
            Object v = JSON.readValue(c[1], Object.class);
            if (c[0].startsWith("model.")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> mm = (Map<String, Object>) t.get("model");
                mm.put(c[0].substring(6), v);
            } else {
                t.put(c[0], v);
            }
            Files.writeString(tj, JSON.writeValueAsString(t));
            Path o = tmp.resolve("t.gguf");
            refused("tokenizer", o, "quantize", model.toString(), "-o", o.toString(), "--uniform", "Q8_0", "-q");
        }
        Files.writeString(tj, original);
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\": 5}");
        Path o = tmp.resolve("c.gguf");
        Cli c = run("quantize", model.toString(), "-o", o.toString(), "--uniform", "Q8_0", "-q");
        // a template that is no text is left out (or refused), never a crash; what is written must verify
        assertTrue(c.exit() == 0 || (c.exit() == 1 && !c.err().contains("internal error")), c.toString());
        if (c.exit() == 0) assertEquals(0, run("verify", o.toString(), "--source", model.toString()).exit());
    }

    @Test
    void configsThatContradictTheirWeights() throws Exception {
        editConfig("num_attention_heads", 5);
        refused("num_attention_heads", out(), quantize("--uniform", "4"));
        editConfig("num_attention_heads", 4);
        editConfig("num_key_value_heads", 3);
        refused("num_key_value_heads", out(), quantize("--uniform", "4"));
        editConfig("num_key_value_heads", 4);
        Path g = tmp.resolve("x.gguf");
        refused("k_proj", g, "quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q");
        editConfig("num_key_value_heads", 2);
        Files.writeString(model.resolve("config.json"), Files.readString(model.resolve("config.json"))
                .replaceFirst("\"rope_theta\":[^,}]+", "\"rope_theta\":1e400"));
        refused("rope_theta", out(), quantize("--uniform", "4"));
        refused("rope_theta", tmp.resolve("a.json"), "analyze", model.toString(), "-o", tmp.resolve("a.json").toString(), "-q");
        // beyond float32, which GGUF stores it as: written as infinity before, then refused by verify
        Files.writeString(model.resolve("config.json"), Files.readString(model.resolve("config.json"))
                .replaceFirst("\"rope_theta\":[^,}]+", "\"rope_theta\":3.4e39"));
        Path big = tmp.resolve("big.gguf");
        refused("rope_theta", big, "quantize", model.toString(), "-o", big.toString(), "--uniform", "Q8_0", "-q");
    }

    @Test
    void integerWeightsAreRefusedByBothWriters() throws Exception {
        patchHeader("(\"model\\.layers\\.0\\.self_attn\\.q_proj\\.weight\":\\{\"dtype\":\")F32", "$1I32");
        refused("not a float type", out(), quantize("--uniform", "4"));
        Path g = tmp.resolve("i.gguf");
        refused("not a float type", g, "quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q");
    }

    /**
     * A config that promises tensors the weights lack: model_type qwen3 over Llama weights (no q/k norms),
     * attention_bias: true without biases. MLX wrote both and its verify refused them; now refused first.
     */
    @Test
    void configsPromisingTensorsTheWeightsLackAreRefused() throws Exception {
        Files.writeString(model.resolve("config.json"), Files.readString(model.resolve("config.json"))
                .replaceFirst("\"attention_bias\"\\s*:\\s*false", "\"attention_bias\": true"));
        refused("q_proj.bias", out(), quantize("--uniform", "4"));
        Path q = tmp.resolve("q3");
        SyntheticModel.write(SyntheticModel.qwen3(), q, entries -> entries.stream()
                .filter(e -> !e.name().contains("q_norm")).toList());
        Path o = tmp.resolve("q3-out");
        refused("q_norm", o, "quantize", q.toString(), "-o", o.toString(), "--uniform", "4", "-q");
    }

    /** A tensor the model mlx_lm builds has no place for: MLX wrote it and its verify refused it; now refused first. */
    @Test
    void aTensorTheRuntimeHasNoPlaceForIsRefusedForMlx() throws Exception {
        Path m = tmp.resolve("extra");
        SyntheticModel.write(SyntheticModel.llama(), m, entries -> {
            List<dev.swan.toolkit.safetensors.SafetensorsWriter.Entry> l = new java.util.ArrayList<>(entries);
            l.add(new dev.swan.toolkit.safetensors.SafetensorsWriter.Entry("vision_tower.x.weight",
                    dev.swan.api.tensor.DType.F32, new long[] {8, 8}));
            return l;
        });
        Path o = tmp.resolve("extra-out");
        refused("vision_tower.x.weight", o, "quantize", m.toString(), "-o", o.toString(), "--uniform", "4", "-q");
    }

    /** An integer norm (a 1-D weight) too: GGUF failed with an internal error, MLX wrote what verify refused. */
    @Test
    void integerVectorsAreRefusedByBothWriters() throws Exception {
        patchHeader("(\"model\\.layers\\.0\\.input_layernorm\\.weight\":\\{\"dtype\":\")F32", "$1U32");
        refused("not a float type", out(), quantize("--uniform", "4"));
        Path g = tmp.resolve("u.gguf");
        refused("not a float type", g, "quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q");
    }

    @Test
    void optionAndPipelineValuesOfTheWrongKind() throws Exception {
        refused("--threads", out(), quantize("--threads", "100000"));
        refused("--protect", out(), quantize("--protect", "["));
        Path p = tmp.resolve("p.yaml");
        Files.writeString(p, "model: " + model + "\nallocator: 5\n");
        refused(p + ":2:", out(), "run", p.toString());
        Files.writeString(p, "model: &m " + model + "\noutput: *m\n");
        refused("aliases", out(), "run", p.toString());
        Files.writeString(p, "model: " + model + "\noutput: \"a\\0b\"\n");
        refused("a", null, "run", p.toString());
        refused("group_size", out(), quantize("--set", "recon.group_size=0"));
        refused("probes", out(), quantize("--set", "noise.probes=-1"));
        refused("rank", out(), quantize("--set", "svd.rank=-1"));
        refused("power_iterations", out(), quantize("--set", "svd.power_iterations=1000000000"));
    }

    // ---------------------------------------------------------------- writers accept what verify rejects

    @Test
    void mlxRefusesWeightsItCannotStore() throws Exception {
        Path st = model.resolve("model.safetensors");
        byte[] good = Files.readAllBytes(st);
        long n = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        for (float v : new float[] {Float.NEGATIVE_INFINITY, 3e38f}) {
            byte[] b = good.clone();
            // the first tensor (the embedding) and the first norm, both touched
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(8 + (int) n + 4, v).putFloat(8 + (int) n + 4 * 128 * 512, -v);
            Files.write(st, b);
            refused("model.", out(), quantize("--uniform", "4", "--set", "mlx.dtype=float16"));
        }
        Files.write(st, good);
        editConfig("tie_word_embeddings", null);
        assertEquals(0, run(quantize("--uniform", "4")).exit());
        Cli v = run("verify", out().toString(), "--source", model.toString());
        assertEquals(0, v.exit(), "written without tie_word_embeddings, and loadable: " + v);
    }

    @Test
    void ggufRefusesMissingOrTransposedTensorsBeforeWriting() throws Exception {
        patchHeader("(\"model\\.layers\\.1\\.mlp\\.down_proj\\.weight\":\\{\"dtype\":\"F32\",\"shape\":\\[)(\\d+),(\\d+)", "$1$3,$2");
        Path g = tmp.resolve("t.gguf");
        refused("down_proj", g, "quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q");
    }

    // ---------------------------------------------------------------- quieter defects

    @Test
    void linksOutOfTheModelFolderAreNotCopied() throws Exception {
        Path outside = tmp.resolve("secret.json");
        Files.writeString(outside, "{\"secret\": true}");
        Files.delete(model.resolve("tokenizer_config.json"));
        Files.createSymbolicLink(model.resolve("tokenizer_config.json"), outside);
        refused("outside the model folder", out(), quantize("--uniform", "4"));
        // the GGUF writer, which reads the tokenizer into its header, keeps the same rule
        Path g = tmp.resolve("linked.gguf");
        refused("outside the model folder", g, "quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0", "-q");
    }

    @Test
    void aSecondRunToTheSameOutputIsRefused() throws Exception {
        try (AtomicOutput.Lock held = AtomicOutput.lock(out())) {
            refused("another swan run is writing", out(), quantize("--uniform", "4"));
        }
        assertEquals(0, run(quantize("--uniform", "4")).exit(), "free again once released");
    }

    /** Weights near the float limit overflow the encoding errors; the budget search must still end. */
    @Test
    void hugeFiniteWeightsDoNotStallThePlan() throws Exception {
        Path st = model.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(8 + (int) n + 4 * 70_000, 3e38f);
        Files.write(st, b);
        Path g = tmp.resolve("h.gguf");
        Cli r = run("quantize", model.toString(), "-o", g.toString(), "-q", "--self-calibrate", "0", "-t", "1");
        assertTrue(r.exit() == 0 || (r.exit() == 1 && !r.err().contains("internal error")), r.toString());
        if (r.exit() == 0) assertEquals(0, run("verify", g.toString(), "--source", model.toString()).exit());
    }

    @Test
    void vocabularySizeMustMatchTheEmbedding() throws Exception {
        editConfig("vocab_size", 7);
        refused("vocab_size 7 disagrees with model.embed_tokens.weight", out(), quantize("--uniform", "4"));
        editConfig("vocab_size", null);
        refused("vocab_size", out(), quantize("--uniform", "4"));
    }

    /** Mixture-of-experts checkpoints that contradict themselves: one line each, before any measuring. */
    @Test
    void inconsistentExpertsAreRefused() throws Exception {
        MoeHeaders tiny = new MoeHeaders(64, 32, 2, 4, 2, 16, 640, 4, 2);
        String[][] cases = {{"missing", "holds 3 of 4 experts (missing [3])"}, {"unequal", "experts of one projection must share a shape"},
            {"router", "a router has one row per expert"}};
        for (String[] c : cases) {
            Path m = tmp.resolve("moe-" + c[0]);
            tiny.write(m, 1L << 20, c[0]);
            Path manifest = tmp.resolve("moe-" + c[0] + ".json");
            refused(c[1], manifest, "analyze", m.toString(), "-o", manifest.toString(), "--self-calibrate", "0", "-q");
        }
        Path ok = tmp.resolve("moe-ok");
        tiny.write(ok, 1L << 20, "");
        Cli inspect = run("inspect", ok.toString());
        assertEquals(0, inspect.exit(), inspect.toString());
        assertTrue(inspect.out().contains("Experts       4 per layer, 2 per token"), inspect.out());
    }

    @Test
    void nonUtf8FilesAreNamed() throws Exception {
        Files.write(model.resolve("config.json"), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        refused(model.resolve("config.json") + ": not UTF-8", out(), quantize("--uniform", "4"));
    }

    /** A journal whose scores were edited is not trusted: the resumed plan equals an uninterrupted one. */
    @Test
    void editedJournalRecordsAreMeasuredAgain() throws Exception {
        String metrics = "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2,explode=0";
        Path ref = tmp.resolve("ref.json");
        assertEquals(0, run("analyze", model.toString(), "-o", ref.toString(), "--metrics", metrics, "--self-calibrate", "0", "-q").exit());
        Path m = tmp.resolve("m.json");
        System.setProperty("swan.test.explodeAt", "layers.2.mlp");
        try {
            assertEquals(1, run("analyze", model.toString(), "-o", m.toString(), "--metrics", metrics, "--self-calibrate", "0", "-q").exit());
        } finally {
            System.clearProperty("swan.test.explodeAt");
        }
        Path journal = tmp.resolve("m.json.partial");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(journal));
        for (int i = 1; i < lines.size(); i++) lines.set(i, lines.get(i).replaceAll("\"score\":[0-9.eE-]+", "\"score\":0.999"));
        Files.write(journal, lines);
        Cli resumed = run("analyze", model.toString(), "-o", m.toString(), "--metrics", metrics, "--self-calibrate", "0");
        assertEquals(0, resumed.exit(), resumed.toString());
        assertTrue(resumed.out().contains("failed their checksum"), resumed.out());
        assertEquals(JSON.readTree(ref.toFile()).get("tensors").toString().replaceAll("\"seconds\":\\{[^}]*\\}", ""),
                JSON.readTree(m.toFile()).get("tensors").toString().replaceAll("\"seconds\":\\{[^}]*\\}", ""));
    }

    private static void patchU32(Path gguf, String key, long value) throws IOException {
        byte[] b = Files.readAllBytes(gguf);
        int at = FuzzTest.indexOf(b, key.getBytes(StandardCharsets.US_ASCII));
        assertTrue(at > 0, key);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at + key.length() + 4, (int) value);
        Files.write(gguf, b);
    }

    private static void patchF32(Path gguf, String key, float value) throws IOException {
        byte[] b = Files.readAllBytes(gguf);
        int at = FuzzTest.indexOf(b, key.getBytes(StandardCharsets.US_ASCII));
        assertTrue(at > 0, key);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at + key.length() + 4, value);
        Files.write(gguf, b);
    }

    /** Rewrites the model's safetensors header with {@code regex} → {@code replacement}, same length, data kept. */
    private void patchHeader(String regex, String replacement) throws IOException {
        Path st = model.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        String patched = header.replaceFirst(regex, replacement);
        assertTrue(!patched.equals(header), "the header has " + regex);
        System.arraycopy(patched.getBytes(StandardCharsets.UTF_8), 0, b, 8, (int) n);
        Files.write(st, b);
    }
}
