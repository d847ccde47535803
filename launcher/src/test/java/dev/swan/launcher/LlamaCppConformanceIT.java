package dev.swan.launcher;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.api.OutputFormat;
import dev.swan.api.Quantizer;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF files swan writes for stories260K, loaded in real llama.cpp (node-llama-cpp 3.21.1, prebuilt
 * CPU binaries, installed by {@code npm ci --prefix conformance}): greedy decoding from BOS must give the
 * reference text for the float and Q8_0 files, and perplexity over the TinyStories excerpt (llama-perplexity
 * protocol, context 256) must match models/README.md: F32, F16, BF16 within 0.005 of 5.428, Q8_0 within
 * 0.01. Uniform Q4_0 and the SWAN plan are reported next to llama.cpp's own Q4_0 figure (5.924).
 */
class LlamaCppConformanceIT {
    static final String REFERENCE = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

    @TempDir
    Path tmp;

    /**
     * The conformance folder with node-llama-cpp installed: installed here from the committed lockfile when
     * npm is on the PATH, so a plain 'mvn verify' runs it; skipped (failed in CI) when it cannot be.
     */
    private Path conformance() throws Exception {
        Path conformance = Path.of(System.getProperty("swan.root", "..")).resolve("conformance");
        if (!Files.isDirectory(conformance.resolve("node_modules/node-llama-cpp"))) {
            String why = install(conformance);
            if (why != null) {
                String msg = "llama.cpp conformance needs Node.js 20 and npm (" + why + "); skipping";
                if (Boolean.getBoolean("swan.requireConformance")) fail(msg.replace("skipping", "required in CI"));
                Assumptions.abort(msg);
            }
        }
        return conformance;
    }

    /** Runs 'npm ci' in {@code conformance}; null when it worked, else why not. */
    private String install(Path conformance) throws Exception {
        Path log = tmp.resolve("npm-ci.txt");
        Process p;
        try {
            p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(conformance.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException noNpm) {
            return "npm not found";
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return "npm ci timed out";
        }
        return p.exitValue() == 0 ? null : "npm ci failed: " + Files.readString(log).strip().lines().reduce((a, b) -> b).orElse("");
    }

    /**
     * Runs check.mjs on {@code files} (label → GGUF) and returns its results, one per file; a file whose label
     * is a key of {@code references} also gets its KL divergence from the file labelled with the value.
     */
    private JsonNode check(Path conformance, Path ids, int ctx, Map<String, Path> files, Map<String, String> references)
            throws Exception {
        return check(conformance, ids, ctx, files, references, List.of());
    }

    /** As above; each result also carries llama.cpp's token ids of every text in {@code texts}. */
    private JsonNode check(Path conformance, Path ids, int ctx, Map<String, Path> files, Map<String, String> references,
                           List<String> texts) throws Exception {
        StringBuilder spec = new StringBuilder("{\"ids\": ").append(json(ids.toString())).append(", \"ctx\": ")
                .append(ctx).append(", \"texts\": ").append(new ObjectMapper().writeValueAsString(texts))
                .append(", \"models\": [");
        boolean first = true;
        for (Map.Entry<String, Path> e : files.entrySet()) {
            String ref = references.get(e.getKey());
            spec.append(first ? "" : ",").append("{\"label\": ").append(json(e.getKey())).append(", \"path\": ")
                    .append(json(e.getValue().toString()))
                    .append(ref == null ? "" : ", \"reference\": " + json(ref)).append('}');
            first = false;
        }
        spec.append("]}");
        Path specFile = tmp.resolve("spec.json");
        Files.writeString(specFile, spec.toString());
        Process p = new ProcessBuilder("node", "check.mjs", specFile.toString()).directory(conformance.toFile())
                .redirectError(tmp.resolve("node-err.txt").toFile()).redirectOutput(tmp.resolve("node-out.txt").toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "llama.cpp check timed out");
        String out = Files.readString(tmp.resolve("node-out.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + Files.readString(tmp.resolve("node-err.txt")));
        JsonNode results = new ObjectMapper().readTree(out).get("results");
        assertEquals(files.size(), results.size());
        return results;
    }

    @Test
    void ggufOutputsRunInLlamaCpp() throws Exception {
        Path conformance = conformance();
        Path model = SharedModels.model("stories260K");
        Map<String, Path> files = new LinkedHashMap<>();
        for (String t : new String[] {"F32", "F16", "BF16", "Q8_0", "Q4_0"}) {
            Path out = tmp.resolve("stories260K-" + t + ".gguf");
            Cli r = Cli.run("quantize", model.toString(), "-f", "gguf", "--uniform", t, "-o", out.toString(), "-q");
            assertEquals(0, r.exit(), r.toString());
            files.put(t, out);
        }
        Path swan = tmp.resolve("stories260K-swan.gguf");
        Cli r = Cli.run("quantize", model.toString(), "-f", "gguf", "-o", swan.toString(), "-q");
        assertEquals(0, r.exit(), r.toString());
        files.put("swan", swan);
        for (Path f : files.values()) {
            Cli v = Cli.run("verify", f.toString(), "--source", model.toString());
            assertEquals(0, v.exit(), v.toString());
        }
        JsonNode results = check(conformance, SharedModels.eval("tinystories/tinystories-valid-excerpt.stories260K.ids"),
                256, files, Map.of());
        System.out.println("llama.cpp conformance (stories260K, TinyStories excerpt, ctx 256):");
        for (JsonNode res : results) {
            String label = res.get("label").asText();
            double ppl = res.get("ppl").asDouble();
            String greedy = res.get("greedy").asText();
            System.out.printf("  %-5s ppl %.4f  size %,d bytes  greedy: %s%n", label, ppl, Files.size(files.get(label)), greedy);
            switch (label) {
                case "F32": case "F16": case "BF16":
                    assertEquals(5.428, ppl, 0.005, label);
                    assertTrue(REFERENCE.startsWith(greedy.strip()) || greedy.strip().startsWith(REFERENCE), label + ": " + greedy);
                    break;
                case "Q8_0":
                    assertEquals(5.428, ppl, 0.01, label);
                    assertTrue(REFERENCE.startsWith(greedy.strip()) || greedy.strip().startsWith(REFERENCE), label + ": " + greedy);
                    break;
                default:
                    assertTrue(ppl > 5 && ppl < 8, label + " perplexity is plausible: " + ppl);
            }
        }
        // swan eval scores the same files as llama.cpp does, within 0.5 % in perplexity
        List<String> args = new ArrayList<>(List.of("eval", "--json", "-q", "--ctx", "256", "--ids",
                SharedModels.eval("tinystories/tinystories-valid-excerpt.stories260K.ids").toString()));
        for (Path f : files.values()) args.add(f.toString());
        Cli e = Cli.run(args.toArray(new String[0]));
        assertEquals(0, e.exit(), e.toString());
        JsonNode mine = new ObjectMapper().readTree(e.out()).get("models");
        System.out.println("swan eval vs llama.cpp on the same files:");
        int i = 0;
        for (JsonNode res : results) {
            double theirs = res.get("ppl").asDouble();
            double ours = mine.get(i++).get("ppl").asDouble();
            System.out.printf("  %-5s llama.cpp %.4f  swan eval %.4f  (%+.3f %%)%n", res.get("label").asText(), theirs, ours,
                    100 * (ours - theirs) / theirs);
            assertEquals(theirs, ours, 0.005 * theirs, res.get("label").asText());
        }
    }

    /**
     * The forward pass on the architecture features stories260K and qwen3-gutenberg-4m lack: qwen2's q/k/v
     * biases and Llama 3's rope scaling (llama.cpp reads it as a rope_freqs tensor, swan eval from
     * config.json or from that tensor). swan eval on the safetensors folder and on swan's F32 GGUF agrees
     * with llama.cpp's perplexity on the GGUF within 0.5 %.
     */
    @Test
    void forwardPassAgreesWithLlamaCppOnQwen2BiasesAndLlama3RopeScaling() throws Exception {
        Path conformance = conformance();
        Path qwen2 = qwen2(tmp.resolve("qwen2"));
        Path llama3 = tmp.resolve("llama3");
        SyntheticModel.write(SyntheticModel.llama().withSize(128, 384, 2, 4, 2, 32, 512), llama3);
        ObjectMapper om = new ObjectMapper();
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(llama3.resolve("config.json").toFile());
        cfg.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 1.0)
                .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 16);
        cfg.put("rope_theta", 500000.0);
        om.writeValue(llama3.resolve("config.json").toFile(), cfg);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("qwen2", gguf(qwen2, "F32"));
        files.put("llama3", gguf(llama3, "F32"));
        SeededRandom random = new SeededRandom(11);
        StringBuilder ids = new StringBuilder("[");
        for (int i = 0; i < 512; i++) ids.append(i == 0 ? "" : ",").append(Math.floorMod(random.nextLong(), 500));
        Path idsFile = tmp.resolve("arch-ids.json");
        Files.writeString(idsFile, ids.append(']').toString());
        JsonNode results = check(conformance, idsFile, 128, files, Map.of());
        Map<String, Path> dirs = Map.of("qwen2", qwen2, "llama3", llama3);
        for (JsonNode res : results) {
            String label = res.get("label").asText();
            double theirs = res.get("ppl").asDouble();
            List<Path> both = List.of(dirs.get(label), files.get(label));
            double[] perplexities = swanPerplexities(both, idsFile, 128);
            for (int i = 0; i < both.size(); i++) {
                Path m = both.get(i);
                double ours = perplexities[i];
                System.out.printf("  %-6s llama.cpp %.4f  swan eval (%s) %.4f%n", label, theirs, m.getFileName(), ours);
                assertEquals(theirs, ours, 0.005 * theirs, label + " " + m);
            }
        }
    }

    /** A qwen2 model: the synthetic qwen3 without q/k norms, with q/k/v biases. */
    private static Path qwen2(Path dir) throws IOException {
        Path q3 = dir.resolveSibling(dir.getFileName() + "-src");
        SyntheticModel.write(SyntheticModel.qwen3().withSize(128, 384, 2, 4, 2, 32, 640).withDtype(DType.F32), q3);
        Files.createDirectories(dir);
        try (var listing = Files.list(q3)) {
            for (Path f : (Iterable<Path>) listing::iterator) {
                if (!f.getFileName().toString().startsWith("model")) Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectMapper om = new ObjectMapper();
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(dir.resolve("config.json").toFile());
        cfg.putArray("architectures").add("Qwen2ForCausalLM");
        cfg.put("model_type", "qwen2");
        cfg.remove("head_dim");
        om.writeValue(dir.resolve("config.json").toFile(), cfg);
        try (ModelDir m = ModelFolder.open(q3)) {
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            Map<String, float[]> data = new LinkedHashMap<>();
            SeededRandom r = new SeededRandom(3);
            for (TensorInfo t : m.tensors()) {
                if (t.name().contains("_norm.weight") && t.name().contains("self_attn")) continue;
                entries.add(new SafetensorsWriter.Entry(t.name(), DType.F32, t.shape()));
                data.put(t.name(), m.data(t).toFloatArray());
                if (t.name().matches(".*self_attn\\.[qkv]_proj\\.weight")) {
                    String b = t.name().replace(".weight", ".bias");
                    float[] bias = new float[(int) t.shape()[0]];
                    for (int i = 0; i < bias.length; i++) bias[i] = (float) (0.5 * r.nextGaussian());
                    entries.add(new SafetensorsWriter.Entry(b, DType.F32, new long[] {bias.length}));
                    data.put(b, bias);
                }
            }
            try (SafetensorsWriter w = SafetensorsWriter.create(dir.resolve("model.safetensors"), Map.of("format", "pt"), entries)) {
                for (SafetensorsWriter.Entry e : entries) {
                    w.beginTensor(e.name());
                    float[] v = data.get(e.name());
                    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    w.write(b.array(), 0, v.length * 4);
                }
            }
        }
        return dir;
    }

    /**
     * swan's tokenizers give llama.cpp's ids: the tokenizer.json of a synthetic byte-level (Qwen-style) and
     * SentencePiece-style (Llama-style) model against llama.cpp's tokenizer of the GGUF swan writes from it,
     * on unicode, digits, spaces and newlines.
     */
    @Test
    void tokenizersAgreeWithLlamaCpp() throws Exception {
        Path conformance = conformance();
        List<String> texts = List.of("Hello world", "The year 2026: 1,234.56 apples\n\nand 7 pears.",
                "  two  spaces,\ttabs\tand\r\nwindows lines\n", "naïve café, 東京タワー, emoji 🙂🚀 and ß",
                "It's we'll THEY'RE don't", "x   \ny\n\n\n z", "abc123def 4567 ..., !!! ???");
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (SyntheticModel.Spec spec : List.of(SyntheticModel.qwen3(), SyntheticModel.llama())) {
            Path dir = tmp.resolve("tok-" + spec.arch());
            SyntheticModel.write(spec, dir);
            dirs.put(spec.arch(), dir);
            files.put(spec.arch(), gguf(dir, "F32"));
        }
        Path idsFile = tmp.resolve("tok-ids.json");
        Files.writeString(idsFile, "[" + "1,".repeat(63) + "1]");
        JsonNode results = check(conformance, idsFile, 32, files, Map.of(), texts);
        for (JsonNode res : results) {
            Path dir = dirs.get(res.get("label").asText());
            dev.swan.eval.tokenizer.Tokenizer tok;
            try (ModelDir m = ModelFolder.open(dir)) {
                tok = dev.swan.eval.tokenizer.Tokenizers.fromDirectory(dir, m.config()).orElseThrow();
            }
            for (int t = 0; t < texts.size(); t++) {
                int[] ours = tok.encode(texts.get(t));
                if (tok.addsBos()) ours = java.util.Arrays.copyOfRange(ours, 1, ours.length);
                List<Integer> theirs = new ArrayList<>();
                res.get("tokens").get(t).forEach(n -> theirs.add(n.asInt()));
                assertEquals(theirs, java.util.Arrays.stream(ours).boxed().toList(), res.get("label").asText()
                        + " (" + tok.describe() + "): '" + texts.get(t) + "'");
            }
        }
    }

    /**
     * Every quantized type on a model whose rows suit the 256-wide K-quant blocks (stories260K's do not):
     * for each type T, llama.cpp runs the T file and a float file holding exactly the weights we meant T to
     * encode (every matrix through the gguf plugin's own quantize → dequantize). If llama.cpp reads our
     * bytes as we meant them (type ids, row sizes, block layout, scales), the two agree far better than T
     * agrees with the original weights; what remains is llama.cpp quantizing activations for its dot
     * products. Compared by the mean KL divergence of next-token distributions over random token ids.
     */
    @Test
    void everyQuantizedTypeDecodesInLlamaCppAsMeant() throws Exception {
        Path conformance = conformance();
        Path model = tmp.resolve("qwen3");
        SyntheticModel.write(SyntheticModel.qwen3().withSize(256, 512, 2, 4, 2, 64, 1024), model);
        Path other = tmp.resolve("qwen3-other");
        SyntheticModel.write(SyntheticModel.qwen3().withSize(256, 512, 2, 4, 2, 64, 1024).withSeed(99), other);
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, String> references = new LinkedHashMap<>();
        files.put("F32", gguf(model, "F32"));
        files.put("other", gguf(other, "F32"));
        references.put("other", "F32");
        String[] types = {"Q8_0", "Q6_K", "Q5_K", "Q5_1", "Q5_0", "Q4_K", "Q4_1", "Q4_0", "Q3_K", "Q2_K",
                "IQ4_NL", "IQ4_XS", "MXFP4", "TQ2_0", "TQ1_0", "IQ3_S", "IQ3_XXS", "IQ2_S", "IQ2_XS", "IQ2_XXS", "IQ1_M",
                "IQ1_S"};
        for (String t : types) {
            files.put(t, gguf(model, t));
            files.put(t + "-meant", gguf(meant(model, t), "F32"));
            references.put(t, t + "-meant");
            references.put(t + "-meant", "F32");
        }
        SeededRandom random = new SeededRandom(5);
        StringBuilder ids = new StringBuilder("[");
        for (int i = 0; i < 512; i++) ids.append(i == 0 ? "" : ",").append(Math.floorMod(random.nextLong(), 1024));
        Path idsFile = tmp.resolve("ids.json");
        Files.writeString(idsFile, ids.append(']').toString());
        JsonNode results = check(conformance, idsFile, 128, files, references);
        Map<String, Double> kl = new LinkedHashMap<>();
        for (JsonNode res : results) if (res.has("kl")) kl.put(res.get("label").asText(), res.get("kl").asDouble());
        System.out.println("llama.cpp, synthetic Qwen3 (hidden 256): mean KL divergence over 252 positions");
        System.out.println("  TYPE  file vs meant weights   meant weights vs F32");
        for (String t : types) System.out.printf("  %-6s %19.6f %22.6f%n", t, kl.get(t), kl.get(t + "-meant"));
        System.out.printf("  other-weights model vs F32: %.6f%n", kl.get("other"));
        for (String t : types) {
            assertTrue(kl.get(t) < 0.005, t + " decodes as meant: KL " + kl.get(t));
            if (!t.equals("Q8_0")) {
                assertTrue(kl.get(t) < kl.get(t + "-meant") / 3, t + ": llama.cpp's reading is much closer to what we "
                        + "meant (" + kl.get(t) + ") than to the original weights (" + kl.get(t + "-meant") + ")");
            }
        }
        assertTrue(kl.get("other") > 0.3, "the negative control is far: " + kl.get("other"));
    }

    /**
     * Property: models of random shape (llama or qwen3; hidden, head_dim, grouped or plain attention,
     * intermediate sizes that do and do not suit the blocks, tied or not, F32/BF16/F16) quantized with the
     * SWAN plan all load and run in llama.cpp with a finite perplexity.
     */
    @Test
    void randomShapesLoadAndRunInLlamaCpp() throws Exception {
        Path conformance = conformance();
        java.util.Random r = new java.util.Random(2026);
        Map<String, Path> files = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            int hidden = new int[] {64, 96, 128, 192, 256, 320}[r.nextInt(6)];
            int headDim = new int[] {16, 32, 64}[r.nextInt(3)];
            int heads = Math.max(1, hidden / headDim);
            int kv = heads % 2 == 0 && r.nextBoolean() ? heads / 2 : heads;
            int inter = new int[] {172, 256, 352, 384, 512}[r.nextInt(5)];
            DType dtype = new DType[] {DType.F32, DType.BF16, DType.F16}[r.nextInt(3)];
            SyntheticModel.Spec spec = (i % 2 == 0 ? SyntheticModel.llama() : SyntheticModel.qwen3())
                    .withSize(hidden, inter, 1 + r.nextInt(2), heads, kv, headDim, new int[] {512, 1000, 1024}[r.nextInt(3)])
                    .withDtype(dtype).withTied(r.nextBoolean(), r.nextBoolean());
            Path model = tmp.resolve("random" + i);
            SyntheticModel.write(spec, model);
            Path out = tmp.resolve("random" + i + ".gguf");
            Cli q = Cli.run("quantize", model.toString(), "-f", "gguf", "-o", out.toString(), "-q", "--self-calibrate", "0");
            assertEquals(0, q.exit(), spec + ": " + q);
            Cli v = Cli.run("verify", out.toString(), "--source", model.toString());
            assertEquals(0, v.exit(), spec + ": " + v);
            files.put(spec.toString(), out);
        }
        StringBuilder ids = new StringBuilder("[");
        for (int i = 0; i < 128; i++) ids.append(i == 0 ? "" : ",").append(r.nextInt(512));
        Path idsFile = tmp.resolve("random-ids.json");
        Files.writeString(idsFile, ids.append(']').toString());
        for (JsonNode res : check(conformance, idsFile, 32, files, Map.of())) {
            double ppl = res.get("ppl").asDouble();
            assertTrue(Double.isFinite(ppl) && ppl > 1, res.get("label").asText() + ": perplexity " + ppl);
        }
    }

    /**
     * Mixture-of-experts GGUFs (qwen3moe, qwen2moe with its shared expert, Mixtral as llama with experts):
     * llama.cpp loads and runs each; a quantized file reads in llama.cpp as the weights we meant it to hold
     * (KL against a float file of exactly those weights, an order of magnitude below the quantization's own
     * KL); swan eval's perplexity on the safetensors folder
     * and on the F32 GGUF agrees with llama.cpp's within 0.5 %.
     */
    @Test
    void mixturesOfExpertsRunInLlamaCppAsInSwanEval() throws Exception {
        Path conformance = conformance();
        Map<String, SyntheticModel.Spec> specs = new LinkedHashMap<>();
        specs.put("qwen3moe", SyntheticModel.qwen3Moe());
        specs.put("qwen2moe", SyntheticModel.qwen2Moe());
        specs.put("mixtral", SyntheticModel.mixtral());
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, String> references = new LinkedHashMap<>();
        Map<String, Path> dirs = new LinkedHashMap<>();
        String[] types = {"Q4_0"}; // Q8_0 reads as meant too (KL 0.011-0.026 at this floor), left out for time
        for (Map.Entry<String, SyntheticModel.Spec> e : specs.entrySet()) {
            Path model = tmp.resolve(e.getKey());
            SyntheticModel.write(e.getValue(), model);
            dirs.put(e.getKey(), model);
            files.put(e.getKey(), gguf(model, "F32"));
            for (String t : types) {
                files.put(e.getKey() + "-" + t, gguf(model, t));
                files.put(e.getKey() + "-" + t + "-meant", gguf(meant(model, t), "F32"));
                references.put(e.getKey() + "-" + t, e.getKey() + "-" + t + "-meant");
                references.put(e.getKey() + "-" + t + "-meant", e.getKey());
            }
            Cli v = Cli.run("verify", files.get(e.getKey() + "-Q4_0").toString(), "--source", model.toString());
            assertEquals(0, v.exit(), v.toString());
        }
        SeededRandom random = new SeededRandom(3);
        StringBuilder ids = new StringBuilder("[");
        for (int i = 0; i < 512; i++) ids.append(i == 0 ? "" : ",").append(Math.floorMod(random.nextLong(), 500));
        Path idsFile = tmp.resolve("moe-ids.json");
        Files.writeString(idsFile, ids.append(']').toString());
        Map<String, JsonNode> byLabel = new LinkedHashMap<>();
        for (JsonNode res : check(conformance, idsFile, 128, files, references)) byLabel.put(res.get("label").asText(), res);
        System.out.println("llama.cpp, synthetic MoE models: perplexity, and mean KL divergence over 252 positions");
        List<Runnable> checks = new ArrayList<>();
        for (String arch : specs.keySet()) {
            double theirs = byLabel.get(arch).get("ppl").asDouble();
            List<Path> both = List.of(dirs.get(arch), files.get(arch)); // one run scores a vocabulary's models
            double[] perplexities = swanPerplexities(both, idsFile, 128);
            for (Path m : both) {
                double ours = perplexities[both.indexOf(m)];
                System.out.printf("  %-8s llama.cpp %.4f  swan eval (%s) %.4f%n", arch, theirs, m.getFileName(), ours);
                checks.add(() -> assertEquals(theirs, ours, 0.005 * theirs, arch + " " + m));
            }
            for (String t : types) {
                double file = byLabel.get(arch + "-" + t).get("kl").asDouble();
                double meant = byLabel.get(arch + "-" + t + "-meant").get("kl").asDouble();
                System.out.printf("  %-8s %-5s file vs meant weights %.6f   meant weights vs F32 %.6f%n", arch, t, file, meant);
                // llama.cpp quantizes activations to 8 bits for these dot products, and in a mixture that noise
                // moves some tokens to other experts: the floor is ~0.01-0.03 here (dense: < 0.005), while a
                // misread layout (experts out of order, wrong rows) lands beyond 0.3
                checks.add(() -> assertTrue(file < 0.05, arch + " " + t + " decodes as meant: KL " + file));
                checks.add(() -> assertTrue(file < meant / 10, arch + " " + t + ": " + file + " vs " + meant));
            }
        }
        checks.forEach(Runnable::run);
    }

    /** swan eval's perplexity of each model on {@code ids} (one run, models in order). */
    private double[] swanPerplexities(List<Path> models, Path ids, int ctx) throws Exception {
        List<String> args = new ArrayList<>(List.of("eval"));
        for (Path m : models) args.add(m.toString());
        args.addAll(List.of("--ids", ids.toString(), "--ctx", String.valueOf(ctx), "--json", "-q"));
        Cli e = Cli.run(args.toArray(new String[0]));
        assertEquals(0, e.exit(), e.toString());
        JsonNode results = new ObjectMapper().readTree(e.out()).get("models");
        double[] out = new double[models.size()];
        for (int i = 0; i < out.length; i++) out[i] = results.get(i).get("ppl").asDouble();
        return out;
    }

    /** A float copy of {@code model} whose matrices went through the gguf plugin's {@code type} round trip. */
    private Path meant(Path model, String type) throws IOException {
        OutputFormat format = ServiceLoader.load(OutputFormat.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals("gguf")).findFirst().orElseThrow();
        Quantizer q = format.quantizer("gguf:" + type).orElseThrow();
        Path dir = tmp.resolve(model.getFileName() + "-meant-" + type);
        Files.createDirectories(dir);
        try (ModelDir m = ModelFolder.open(model); var listing = Files.list(model)) {
            for (Path f : (Iterable<Path>) listing::iterator) {
                if (!f.getFileName().toString().startsWith("model")) Files.copy(f, dir.resolve(f.getFileName()));
            }
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (TensorInfo t : m.tensors()) entries.add(new SafetensorsWriter.Entry(t.name(), DType.F32, t.shape()));
            try (SafetensorsWriter w = SafetensorsWriter.create(dir.resolve("model.safetensors"), Map.of("format", "pt"), entries)) {
                for (TensorInfo t : m.tensors()) {
                    w.beginTensor(t.name());
                    long[] shape = t.shape();
                    int cols = (int) shape[shape.length - 1];
                    float[] row = new float[cols];
                    float[] out = new float[cols];
                    ByteBuffer bytes = ByteBuffer.allocate(4 * cols).order(ByteOrder.LITTLE_ENDIAN);
                    TensorData data = m.data(t);
                    for (long r = 0; r < t.numel() / cols; r++) {
                        data.readRow(r, row);
                        // routers stay F32 in the file, as llama.cpp's converter keeps them
                        boolean router = t.name().endsWith(".gate.weight") || t.name().endsWith("shared_expert_gate.weight");
                        if (shape.length >= 2 && !router) q.roundTrip(row, out);
                        else System.arraycopy(row, 0, out, 0, cols);
                        bytes.clear();
                        bytes.asFloatBuffer().put(out);
                        w.write(bytes.array(), 0, 4 * cols);
                    }
                }
            }
        }
        return dir;
    }

    private Path gguf(Path model, String type) throws Exception {
        Path out = tmp.resolve(model.getFileName() + "-" + type + ".gguf");
        Cli r = Cli.run("quantize", model.toString(), "-f", "gguf", "--uniform", type, "-o", out.toString(), "-q");
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.out().contains("stored differently"), type + " is stored as asked: " + r.out());
        return out;
    }

    private static String json(String s) throws IOException {
        return new ObjectMapper().writeValueAsString(s);
    }
}
