package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.format.gguf.GgufReader;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama-quantize's command line with only the program name changed: its positional order MODEL [OUT] TYPE
 * [NTHREADS], --pure, and its head and embedding options with llama.cpp's precedence (llama-quant.cpp:
 * --token-embedding-type and --output-tensor-type before any --tensor-type; a tied model's embedding takes
 * the output type through the recipe only; --leave-output-tensor leaves output.weight unquantized).
 */
class LlamaQuantizeOptionsTest {
    @TempDir
    Path tmp;

    private static String type(Path gguf, String tensor) throws IOException {
        try (GgufReader g = GgufReader.open(gguf)) {
            return g.tensors().stream().filter(t -> t.name().equals(tensor)).findFirst().orElseThrow().type().name();
        }
    }

    private static void run(String... args) {
        Cli r = Cli.run(args);
        assertEquals(0, r.exit(), r.toString());
    }

    @Test
    void positionalOrderAndPure() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path positional = tmp.resolve("a.gguf");
        Path options = tmp.resolve("b.gguf");
        run("quantize", model, positional.toString(), "Q4_K_M", "2", "-q");
        run("quantize", model, "-f", "gguf", "-o", options.toString(), "--preset", "Q4_K_M", "-q");
        assertArrayEquals(Files.readAllBytes(options), Files.readAllBytes(positional));
        Path pure = tmp.resolve("pure.gguf");
        Path uniform = tmp.resolve("uniform.gguf");
        run("quantize", model, pure.toString(), "Q8_0", "--pure", "-q");
        run("quantize", model, "-f", "gguf", "-o", uniform.toString(), "--uniform", "Q8_0", "-q");
        assertArrayEquals(Files.readAllBytes(uniform), Files.readAllBytes(pure));
        // without OUT: ggml-model-TYPE.gguf beside the model
        Path copy = tmp.resolve("models").resolve("s");
        Files.createDirectories(copy);
        try (var files = Files.list(SharedModels.model("stories260K"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, copy.resolve(f.getFileName()));
        }
        run("quantize", copy.toString(), "Q4_0", "-q");
        assertTrue(Files.isRegularFile(tmp.resolve("models").resolve("ggml-model-Q4_0.gguf")));
        Cli unknown = Cli.run("quantize", model, tmp.resolve("x.gguf").toString(), "Q9_Z", "-q");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("'Q9_Z' is no GGUF type"), unknown.err());
        Cli lone = Cli.run("quantize", model, "-o", tmp.resolve("z.gguf").toString(), "--pure", "-q");
        assertEquals(2, lone.exit(), "--pure without a type is refused, not ignored: " + lone);
        Cli twice = Cli.run("quantize", model, tmp.resolve("x.gguf").toString(), "Q4_0", "-o", tmp.resolve("y.gguf").toString());
        assertEquals(2, twice.exit(), twice.toString());
    }

    @Test
    void headAndEmbeddingTypesOfAModelWithItsOwnHead() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path a = tmp.resolve("a.gguf");
        run("quantize", model, a.toString(), "Q4_K_M", "--output-tensor-type", "Q8_0", "--token-embedding-type", "Q5_K", "-q");
        assertEquals("Q8_0", type(a, "output.weight"));
        assertEquals("Q5_K", type(a, "token_embd.weight"));
        Path b = tmp.resolve("b.gguf");
        run("quantize", model, b.toString(), "Q4_K_M", "--leave-output-tensor", "--output-tensor-type", "Q8_0",
                "--override", "lm_head=Q4_0", "-q");
        assertEquals("F32", type(b, "output.weight"), "left as the source stores it, whatever else is asked");
        Path c = tmp.resolve("c.gguf");
        run("quantize", model, c.toString(), "Q4_K_M", "--output-tensor-type", "Q8_0", "--override", "lm_head=Q4_0", "-q");
        assertEquals("Q8_0", type(c, "output.weight"), "--output-tensor-type before --tensor-type, as llama.cpp");
    }

    @Test
    void aTiedModelsEmbeddingTakesTheOutputTypeThroughTheRecipe() throws IOException {
        String model = SharedModels.model("stories260K").toString();
        Path a = tmp.resolve("a.gguf");
        run("quantize", model, a.toString(), "Q4_0", "--output-tensor-type", "Q8_0", "-q");
        assertEquals("Q8_0", type(a, "token_embd.weight"));
        Path b = tmp.resolve("b.gguf");
        run("quantize", model, b.toString(), "Q4_0", "--output-tensor-type", "Q8_0", "--token-embedding-type", "Q4_1", "-q");
        assertEquals("Q4_1", type(b, "token_embd.weight"), "the embedding's own type first");
        Path c = tmp.resolve("c.gguf");
        run("quantize", model, c.toString(), "Q4_0", "--pure", "--output-tensor-type", "Q8_0", "-q");
        assertEquals("Q4_0", type(c, "token_embd.weight"), "--pure: no recipe, so the tied embedding keeps TYPE");
    }

    /** --tensor-type names tensors as llama.cpp does; the first entry that names a tensor wins; a file works too. */
    @Test
    void tensorTypesByGgufNames() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path a = tmp.resolve("a.gguf");
        run("quantize", model, a.toString(), "Q4_K_M", "--tensor-type", "blk\\.0\\.attn_v=q5_0", "--tensor-type", "ATTN_V=q8_0", "-q");
        assertEquals("Q5_0", type(a, "blk.0.attn_v.weight"));
        for (int l = 1; l < 4; l++) assertEquals("Q8_0", type(a, "blk." + l + ".attn_v.weight"));
        assertEquals("Q4_K", type(a, "blk.1.attn_q.weight"), "the rest as the recipe says");
        Path file = tmp.resolve("types.txt");
        Files.writeString(file, "attn_v=q8_0\n  ffn_down=q6_k ");
        Path b = tmp.resolve("b.gguf");
        run("quantize", model, b.toString(), "Q4_K_M", "--tensor-type-file", file.toString(), "-q");
        assertEquals("Q8_0", type(b, "blk.2.attn_v.weight"));
        assertEquals("Q6_K", type(b, "blk.2.ffn_down.weight"));
        Cli bad = Cli.run("quantize", model, tmp.resolve("c.gguf").toString(), "Q4_K_M", "--tensor-type", "attn_v", "-q");
        assertTrue(bad.exit() == 1 || bad.exit() == 2, bad.toString());
        assertTrue(bad.err().contains("give NAME_REGEX=TYPE"), bad.err());
    }

    /**
     * Against llama-quantize itself (llama.cpp commit 80fb11a, node-llama-cpp's bundled source, non-native CPU
     * build), run on an F32 GGUF of the same weights (swan's --uniform F32, byte for byte the converter's
     * tensors) with the same options: SHA-256 over every tensor sorted by name (name, type id, data) of its
     * output, which swan's must equal.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1} {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
            "qwen3-gutenberg-4m; Q4_K_M; --output-tensor-type Q8_0; cdccf0ac981a9c95dfc9cc673cf4ba944ee65af43edfb30708c1eb8a26cf4d32",
            "qwen3-gutenberg-4m; Q4_K_M; --token-embedding-type Q5_K; a9d1199836039797795baac418449d1a158424d01bb30dc9f1dadb476d69cabc",
            "qwen3-gutenberg-4m; Q4_K_M; --tensor-type blk\\.0\\.attn_v=q5_0 --tensor-type attn_v=q8_0 --tensor-type ffn_down=q6_k; 6a952d3dd3e54235d5912bde1c595b0f19228341d1188c8ab11e02c6c2a6ccdf",
            "qwen3-gutenberg-4m; Q4_K_M; --output-tensor-type Q8_0 --tensor-type output=q4_0 --token-embedding-type Q6_K; 14b7644954c0cb630a59f5446ce69a2657e9afc33c3e6ade5a7ccebf1e927a9c",
            "qwen3-gutenberg-4m; Q4_K_M; --leave-output-tensor; 518b1a15800c5c4606c908b41cc45b298367187ac5bce5c2070ab2c56e1846e4",
            "qwen3-gutenberg-4m; Q4_K_M; --output-tensor-type F32; 518b1a15800c5c4606c908b41cc45b298367187ac5bce5c2070ab2c56e1846e4",
            "stories260K; Q4_0; --output-tensor-type Q5_1; 2f38922c9684ffc268fb2dcae2eeef3663ce226e0a477a69ccb4b5c891545b93",
            "stories260K; Q4_0; --output-tensor-type Q5_1 --token-embedding-type Q4_1; 397b75cfa11d2c5275d2c18a2428401a78286a0edb14e0c6d3f89fa84ef6e3ec",
            "stories260K; Q4_0; --pure --output-tensor-type Q5_1; 5465426e92f0a58d886cbe2b9fefbd5d670af5f006c72d2247f2380578ed694d",
            "qwen3-gutenberg-4m; Q8_0; --pure --prune-layers 0,3; 627a525de0ac43c41e65400ac9d6b33117718ffa0017efcee559013f0d4886a8",
            "qwen3-gutenberg-4m; Q4_0; --prune-layers 1; 2bb65e35215079ff4f7baeb1eeeb83c474836b46b32c6bc3f4da31081fd0ae66",
            "stories260K; Q4_0; --prune-layers 2,4; 9448ce8e21e323be754b2b82102750c35db2b127f653000e5f5996a0922866a7",
            // the 4-bit non-linear, ternary and MXFP4 types and their recipes
            "qwen3-gutenberg-4m; IQ4_NL; ; ee1482c9a3485b0046c00c847b4202696dc7ab963e3d8da2f3e580626290f07f",
            "qwen3-gutenberg-4m; IQ4_XS; ; 88428090a1d8d8a8d837c56d01a9e9bfdb2aff80598d50032c1477e06f1be467",
            "qwen3-gutenberg-4m; TQ1_0; ; a34bc2364dfd62f4f10180c8e6f8df6944af3b6c3550947cd5f5d864b719c82d",
            "qwen3-gutenberg-4m; TQ2_0; ; 2c8534d6c44446fd5c1f7590468b92fcc9c1575ee44e1b43203d017562f145e8",
            "qwen3-gutenberg-4m; MXFP4_MOE; --pure; cac34be5b13be05aa44d92dd3f8c1be38b93d86faad967b4e584f11aa5d8bd38",
            "stories260K; IQ4_XS; ; e0965b66004c046d1b87292b9e0178c2b613ccb97d84392ab795f2dc0fc31bb5",
            "stories260K; TQ2_0; ; 17fde552fa79ebeaab5b229a507c2bd8c3999713d11e3f95ffe6cc27083b27ff",
            // the 3-bit grid recipes llama-quantize writes without an importance matrix (the others refuse)
            "qwen3-gutenberg-4m; IQ3_M; ; 5dd0c7516134668f8380b8825c56a7f0a04f8eb1ed78f004d7f6da2764043169",
            "qwen3-gutenberg-4m; IQ3_S; --pure; 8679afa6ca5e6509896775dae93917e60c9f6c736d9e81c0948f25eea62308a4"})
    void equalsLlamaQuantizeWithTheSameOptions(String model, String type, String options, String sha256) throws Exception {
        Path out = tmp.resolve("o.gguf");
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("quantize",
                SharedModels.model(model).toString(), out.toString(), type, "-q"));
        if (options != null && !options.isBlank()) a.addAll(java.util.List.of(options.trim().split(" ")));
        run(a.toArray(new String[0]));
        assertEquals(sha256, tensorsHash(out));
    }

    /**
     * --override-kv as llama-quantize writes it (checked against its output for these four): each key removed and
     * written again last, int as u32 of the magnitude, float as f32; a malformed entry refused in one line.
     */
    @Test
    void overrideKvWritesTheKeysLastAsLlamaQuantize() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path out = tmp.resolve("kv.gguf");
        run("quantize", model, out.toString(), "Q4_K_M", "--override-kv", "qwen3.context_length=int:-4096",
                "--override-kv", "general.name=str:renamed", "--override-kv", "qwen3.rope.freq_base=float:5e5",
                "--override-kv", "tokenizer.ggml.add_bos_token=bool:false", "-q");
        try (GgufReader g = GgufReader.open(out)) {
            java.util.List<java.util.Map.Entry<String, dev.swan.format.gguf.GgufValue>> kv = new java.util.ArrayList<>(g.metadata().entrySet());
            java.util.List<String> last = kv.subList(kv.size() - 4, kv.size()).stream().map(e -> e.getKey() + "=" + e.getValue().type()
                    + ":" + e.getValue().value()).toList();
            assertEquals(java.util.List.of("qwen3.context_length=4:4096", "general.name=8:renamed",
                    "qwen3.rope.freq_base=6:500000.0", "tokenizer.ggml.add_bos_token=7:false"), last);
        }
        Cli bad = Cli.run("quantize", model, tmp.resolve("x.gguf").toString(), "Q4_K_M", "--override-kv", "a.b=long:3", "-q");
        assertTrue(bad.exit() != 0 && bad.err().contains("TYPE is int, float, bool or str"), bad.toString());
        Cli mlx = Cli.run("quantize", model, "-o", tmp.resolve("m").toString(), "--override-kv", "a.b=int:3", "-q");
        assertEquals(2, mlx.exit(), mlx.toString());
        assertTrue(mlx.err().contains("--override-kv does not apply to mlx outputs") && mlx.err().contains("-f gguf"), mlx.err());
    }

    /** --prune-layers in MLX too: the layers renumbered, the count shortened, the kept weights unchanged. */
    @Test
    void pruneLayersAppliesToEveryFormat() throws IOException {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path all = tmp.resolve("all");
        Path pruned = tmp.resolve("pruned");
        run("quantize", model, "-o", all.toString(), "--uniform", "4", "-q");
        run("quantize", model, "-o", pruned.toString(), "--uniform", "4", "--prune-layers", "2", "-q");
        String config = Files.readString(pruned.resolve("config.json"));
        assertTrue(config.contains("\"num_hidden_layers\": 3"), config);
        try (var a = dev.swan.toolkit.safetensors.SafetensorsFile.open(all.resolve("model.safetensors"));
             var p = dev.swan.toolkit.safetensors.SafetensorsFile.open(pruned.resolve("model.safetensors"))) {
            assertTrue(p.tensors().keySet().stream().noneMatch(n -> n.startsWith("model.layers.3.")));
            for (String[] pair : new String[][] {{"model.layers.1.mlp.down_proj.weight", "model.layers.1.mlp.down_proj.weight"},
                    {"model.layers.3.mlp.down_proj.weight", "model.layers.2.mlp.down_proj.weight"}}) {
                var x = a.tensors().get(pair[0]);
                var y = p.tensors().get(pair[1]);
                byte[] bx = new byte[(int) x.byteSize()];
                byte[] by = new byte[(int) y.byteSize()];
                a.data(x).readBytes(0, bx, 0, bx.length);
                p.data(y).readBytes(0, by, 0, by.length);
                assertArrayEquals(bx, by, pair[0] + " -> " + pair[1]);
            }
        }
        Cli beyond = Cli.run("quantize", model, "-o", tmp.resolve("z").toString(), "--uniform", "4", "--prune-layers", "4", "-q");
        assertTrue(beyond.exit() != 0 && beyond.err().contains("the model has 4 layers"), beyond.toString());
    }

    /** SHA-256 over every tensor sorted by name: its name, its type id (one byte), its data. */
    private static String tensorsHash(Path gguf) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (GgufReader r = GgufReader.open(gguf)) {
            java.util.TreeMap<String, GgufReader.Info> byName = new java.util.TreeMap<>();
            for (GgufReader.Info t : r.tensors()) byName.put(t.name(), t);
            for (GgufReader.Info t : byName.values()) {
                md.update(t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) t.type().id());
                byte[] b = new byte[(int) t.bytes()];
                r.read(t, 0, b, b.length);
                md.update(b);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
