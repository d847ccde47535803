package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.format.gguf.GgufReader;
import dev.swan.testkit.SharedModels;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF as the model to quantize, as a llama.cpp user holds it: the same output, byte for byte, as from the
 * folder it was made from (our own F32 and BF16 conversions), llama-quantize's own tensors from llama.cpp's
 * F32 conversion, MLX outputs from a GGUF that score as those from the folder, and quantized sources only
 * with --allow-requantize.
 */
class GgufSourceTest {
    private static final String QWEN = "qwen3-gutenberg-4m";

    @TempDir
    Path tmp;

    private static Cli run(String... args) {
        Cli r = Cli.run(args);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    /** Every tensor's type and bytes by name. */
    private static Map<String, String> tensors(Path gguf) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (GgufReader g = GgufReader.open(gguf)) {
            for (GgufReader.Info t : g.tensors()) {
                byte[] b = new byte[(int) t.bytes()];
                g.read(t, 0, b, b.length);
                out.put(t.name(), t.type() + ":" + java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(b)));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static Map<String, String> safetensors(Path file) {
        Map<String, String> out = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                byte[] b = new byte[(int) t.byteSize()];
                f.data(t).readBytes(0, b, 0, b.length);
                out.put(t.name(), t.dtype() + t.shapeString() + java.util.Arrays.hashCode(b));
            }
        }
        return out;
    }

    /** The eval table's result columns (name, bytes and bits per weight left out). */
    private static String scores(Cli eval) {
        String[] lines = eval.out().split("\n");
        int protocol = 0;
        while (!lines[protocol].startsWith("llama-perplexity")) protocol++;
        return lines[protocol - 1].replaceAll("^\\S+\\s+\\S+\\s+\\S+\\s+", "");
    }

    @Test
    void ownGgufQuantizesAsTheFolderItCameFrom() throws IOException {
        for (String[] c : new String[][] {{QWEN, "F32"}, {QWEN + "-bf16", "BF16"}}) {
            String folder = SharedModels.model(c[0]).toString();
            Path gguf = tmp.resolve(c[0] + "-" + c[1] + ".gguf");
            run("quantize", folder, gguf.toString(), c[1], "--pure", "-q");
            Path fromFolder = tmp.resolve(c[0] + "-a.gguf");
            Path fromGguf = tmp.resolve(c[0] + "-b.gguf");
            run("quantize", folder, fromFolder.toString(), "Q4_K_M", "-q");
            run("quantize", gguf.toString(), fromGguf.toString(), "Q4_K_M", "-q");
            assertArrayEquals(Files.readAllBytes(fromFolder), Files.readAllBytes(fromGguf),
                    c[0] + ": the whole file, metadata and tokenizer included");
        }
        // the default plan, self-calibration included, and MLX
        String folder = SharedModels.model(QWEN).toString();
        Path gguf = tmp.resolve(QWEN + "-F32.gguf");
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        run("quantize", folder, "-o", a.toString(), "-q");
        run("quantize", gguf.toString(), "-o", b.toString(), "-q");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "default plan");
        Path am = tmp.resolve("a-mlx");
        Path bm = tmp.resolve("b-mlx");
        run("quantize", folder, "-o", am.toString(), "--uniform", "4", "-q");
        run("quantize", gguf.toString(), "-f", "mlx", "-o", bm.toString(), "--uniform", "4", "-q");
        assertEquals(safetensors(am.resolve("model.safetensors")), safetensors(bm.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(bm.resolve("tokenizer.model")), "the GGUF's vocabulary as SentencePiece's file");
        String text = SharedModels.eval("gutenberg/frankenstein-excerpt.txt").toString();
        assertEquals(scores(run("eval", am.toString(), "--base", folder, "--text", text, "--chunks", "8")),
                scores(run("eval", bm.toString(), "--base", gguf.toString(), "--text", text, "--chunks", "8")),
                "the MLX output's own tokenizer files and weights score as the folder's");
    }

    @Test
    void llamaCppsConversionQuantizesAsLlamaQuantize() throws IOException {
        Path dir = SharedModels.model("llama-quantize");
        Path f32 = dir.resolve("stories260K-F32.gguf");
        for (String type : new String[] {"Q4_K_M", "Q4_0", "Q8_0"}) {
            Path out = tmp.resolve("stories-" + type + ".gguf");
            run("quantize", f32.toString(), out.toString(), type, "-q");
            assertEquals(tensors(dir.resolve("stories260K-" + type + ".gguf")), tensors(out), type);
        }
        // to MLX: q/k rows back in the checkpoint's order, so the weights are the folder's
        Path fromFolder = tmp.resolve("folder-mlx");
        Path fromGguf = tmp.resolve("gguf-mlx");
        run("quantize", SharedModels.model("stories260K").toString(), "-o", fromFolder.toString(), "--uniform", "8", "-q");
        run("quantize", f32.toString(), "-f", "mlx", "-o", fromGguf.toString(), "--uniform", "8", "-q");
        Map<String, String> a = safetensors(fromFolder.resolve("model.safetensors"));
        Map<String, String> b = safetensors(fromGguf.resolve("model.safetensors"));
        for (String name : a.keySet()) assertEquals(a.get(name), b.get(name), name);
        String text = SharedModels.eval("tinystories/tinystories-valid-excerpt.txt").toString();
        assertEquals(scores(run("eval", fromFolder.toString(), "--text", text, "--chunks", "8")),
                scores(run("eval", fromGguf.toString(), "--text", text, "--chunks", "8")),
                "the tied head and llama.cpp's separate copy of it score the same, through the tokenizer.model written");
    }

    @Test
    void byteLevelVocabularyBecomesATokenizerJsonThatTokenizesAsTheOriginal() throws IOException {
        Path folder = tmp.resolve("qwen3");
        dev.swan.testkit.SyntheticModel.write(dev.swan.testkit.SyntheticModel.qwen3(), folder);
        Path gguf = tmp.resolve("qwen3-bf16.gguf");
        run("quantize", folder.toString(), gguf.toString(), "BF16", "-q");
        Path mlx = tmp.resolve("qwen3-mlx");
        run("quantize", gguf.toString(), "-f", "mlx", "-o", mlx.toString(), "--uniform", "8", "-q");
        assertTrue(Files.isRegularFile(mlx.resolve("tokenizer.json")));
        var config = new dev.swan.api.model.ModelConfig(folder.resolve("config.json"), Map.of());
        var original = dev.swan.eval.tokenizer.Tokenizers.fromDirectory(folder, config).orElseThrow();
        var rebuilt = dev.swan.eval.tokenizer.Tokenizers.fromDirectory(mlx, config).orElseThrow();
        String text = "Hello world's 12345 numbers,\n\n  tabs\tand ünïcödé — 漢字 <|im_end|> done.";
        assertArrayEquals(original.encode(text), rebuilt.encode(text));
        assertEquals(original.decode(original.encode(text)), rebuilt.decode(rebuilt.encode(text)));
        String cfg = Files.readString(mlx.resolve("tokenizer_config.json"));
        assertTrue(cfg.contains("<|im_start|>") && cfg.contains("\"eos_token\": \"<|im_end|>\""), cfg);
    }

    /** Mixture-of-experts models (stacked experts, qwen2moe's shared expert and its vector-stored gate) round trip too. */
    @Test
    void mixtureOfExpertsRoundTrips() throws IOException {
        for (var e : Map.of("qwen2moe", dev.swan.testkit.SyntheticModel.qwen2Moe(), "qwen3moe",
                dev.swan.testkit.SyntheticModel.qwen3Moe()).entrySet()) {
            Path folder = tmp.resolve(e.getKey());
            dev.swan.testkit.SyntheticModel.write(e.getValue(), folder);
            Path gguf = tmp.resolve(e.getKey() + ".gguf");
            run("quantize", folder.toString(), gguf.toString(), "BF16", "-q");
            Path a = tmp.resolve(e.getKey() + "-a.gguf");
            Path b = tmp.resolve(e.getKey() + "-b.gguf");
            run("quantize", folder.toString(), a.toString(), "Q4_K_M", "-q");
            run("quantize", gguf.toString(), b.toString(), "Q4_K_M", "-q");
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), e.getKey());
            Path am = tmp.resolve(e.getKey() + "-a-mlx");
            Path bm = tmp.resolve(e.getKey() + "-b-mlx");
            run("quantize", folder.toString(), "-o", am.toString(), "--uniform", "4", "-q");
            run("quantize", gguf.toString(), "-f", "mlx", "-o", bm.toString(), "--uniform", "4", "-q");
            assertEquals(safetensors(am.resolve("model.safetensors")), safetensors(bm.resolve("model.safetensors")),
                    e.getKey() + ": BF16 norms offered as BF16, the shared-expert gate as [1, hidden]");
            String config = Files.readString(bm.resolve("config.json"));
            assertTrue(config.contains("\"decoder_sparse_step\": 1") && config.contains("\"mlp_only_layers\": []"), config);
        }
    }

    /**
     * --keep-split: one output file per weight file of the source, each tensor in the part its source came from;
     * the first part holds the metadata, every part split.no / split.count / split.tensors.count. (Checked by
     * hand against llama-quantize 80fb11a --keep-split on llama.cpp's gguf-split of stories260K: the same
     * tensors in each part, the same split keys.)
     */
    @Test
    void keepSplitWritesOnePartPerSourceFile() throws IOException {
        Path folder = tmp.resolve("sharded");
        dev.swan.testkit.SyntheticModel.write(dev.swan.testkit.SyntheticModel.llama().withMaxShardBytes(400_000), folder);
        Path f32 = tmp.resolve("llama-f32.gguf");
        run("quantize", folder.toString(), f32.toString(), "F32", "--keep-split", "-q");
        List<Path> parts;
        try (var files = Files.list(tmp)) {
            parts = files.filter(p -> p.getFileName().toString().matches("llama-f32-\\d{5}-of-\\d{5}\\.gguf")).sorted().toList();
        }
        assertTrue(parts.size() > 1, "a part per shard: " + parts);
        int total = 0;
        int counted = -1;
        for (int i = 0; i < parts.size(); i++) {
            try (GgufReader g = GgufReader.open(parts.get(i))) {
                assertEquals(((Number) g.metadata().get("split.no").value()).intValue(), i);
                assertEquals(((Number) g.metadata().get("split.count").value()).intValue(), parts.size());
                if (i > 0) assertEquals(3, g.metadata().size(), "the other parts hold only the split keys");
                total += g.tensors().size();
                counted = ((Number) g.metadata().get("split.tensors.count").value()).intValue();
            }
        }
        assertEquals(total, counted, "split.tensors.count counts every part's tensors");
        // the split GGUF quantizes as the folder, part for part
        run("quantize", parts.get(1).toString(), tmp.resolve("from-gguf.gguf").toString(), "Q4_K_M", "--keep-split", "-q");
        run("quantize", folder.toString(), tmp.resolve("from-folder.gguf").toString(), "Q4_K_M", "--keep-split", "-q");
        Map<String, String> all = new TreeMap<>();
        for (int i = 1; i <= parts.size(); i++) {
            String suffix = String.format("-%05d-of-%05d.gguf", i, parts.size());
            Map<String, String> a = tensors(tmp.resolve("from-gguf" + suffix));
            assertEquals(tensors(tmp.resolve("from-folder" + suffix)), a, "part " + i);
            all.putAll(a);
        }
        assertEquals(total, all.size());
        Path single = tmp.resolve("single.gguf");
        run("quantize", folder.toString(), single.toString(), "Q4_K_M", "-q");
        assertEquals(tensors(single), all, "the parts hold the single file's tensors");
        Cli again = Cli.run("quantize", parts.get(0).toString(), tmp.resolve("from-gguf.gguf").toString(), "Q4_K_M", "--keep-split", "-q");
        assertEquals(1, again.exit(), "existing parts are not replaced without --force: " + again);
    }

    /**
     * An importance matrix on experts stored as one stack (a GGUF's ffn_*_exps): each expert's rows take that
     * expert's importance, as llama-quantize slices it, so the GGUF source quantizes as the folder of slices
     * (which llama-quantize --imatrix matches, checked by hand on this model).
     */
    @Test
    void stackedExpertsTakeTheirOwnImportance() throws IOException {
        Path folder = tmp.resolve("qwen3moe");
        dev.swan.testkit.SyntheticModel.write(dev.swan.testkit.SyntheticModel.qwen3Moe(), folder);
        Path gguf = tmp.resolve("qwen3moe.gguf");
        run("quantize", folder.toString(), gguf.toString(), "BF16", "-q");
        Path imatrix = tmp.resolve("m.imatrix");
        run("quantize", folder.toString(), "-o", tmp.resolve("x.gguf").toString(), "--set",
                "gguf.save_imatrix=" + imatrix, "-q");
        for (String type : new String[] {"Q4_K_M", "IQ4_XS"}) {
            Path a = tmp.resolve("a-" + type + ".gguf");
            Path b = tmp.resolve("b-" + type + ".gguf");
            run("quantize", folder.toString(), a.toString(), type, "--set", "gguf.imatrix=" + imatrix, "-q");
            run("quantize", gguf.toString(), b.toString(), type, "--set", "gguf.imatrix=" + imatrix, "-q");
            assertEquals(tensors(a), tensors(b), type);
        }
    }

    @Test
    void quantizedSourceNeedsAllowRequantize() {
        Path q8 = SharedModels.model("llama-quantize").resolve("qwen3-gutenberg-4m-Q8_0.gguf");
        Cli refused = Cli.run("quantize", q8.toString(), tmp.resolve("x.gguf").toString(), "Q4_K_M", "-q");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("is Q8_0") && refused.err().contains("--allow-requantize"), refused.err());
        assertTrue(!Files.exists(tmp.resolve("x.gguf")));
        run("quantize", q8.toString(), tmp.resolve("x.gguf").toString(), "Q4_K_M", "--allow-requantize", "-q");
        Cli inspect = run("inspect", q8.toString());
        assertTrue(inspect.out().contains("model.layers.0.self_attn.q_proj.weight"), inspect.out());
        assertTrue(inspect.out().contains(q8.toString()), "names the file, not the side folder: " + inspect.out());
    }
}
