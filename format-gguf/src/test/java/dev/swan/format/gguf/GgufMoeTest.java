package dev.swan.format.gguf;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.OutputException;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.TensorDecision;
import dev.swan.api.VerifyReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixture-of-experts GGUF files as llama.cpp's converter writes them: experts stacked into
 * {@code ffn_*_exps} [in, out, E] (from per-expert slices or from stored stacks), routers F32, expert
 * metadata, qwen2moe's shared expert; read back under Hugging Face names and verified against the source.
 */
class GgufMoeTest {
    @TempDir
    Path tmp;
    private final GgufFormat gguf = new GgufFormat();

    private FormatContext ctx(Map<String, Object> p) {
        return new FormatContext(Parameters.resolve("gguf", gguf.parameters(), p, "test"), Parallel.of(new ForkJoinPool(2)),
                ProgressSink.NONE, "test");
    }

    private static AllocationPlan bits(ModelDir m, int bits) {
        List<TensorDecision> d = new ArrayList<>();
        for (TensorInfo t : m.tensors()) d.add(new TensorDecision(t.name(), t.rank() >= 2 ? bits : 16, 0, "t", 0));
        return new AllocationPlan("t", Map.of(), d);
    }

    private Map<String, GgufReader.Info> written(SyntheticModel.Spec spec, String name, int bits) throws IOException {
        Path src = tmp.resolve(name);
        SyntheticModel.write(spec, src);
        Path out = tmp.resolve(name + ".gguf");
        try (ModelDir m = ModelFolder.open(src)) {
            gguf.check(m, ctx(Map.of()).parameters());
            gguf.write(m, bits(m, bits), out, ctx(Map.of()));
            VerifyReport v = gguf.verify(out, Optional.of(m), ctx(Map.of()));
            assertTrue(v.ok(), v.problems().toString());
            assertTrue(v.tensors().stream().allMatch(c -> c.nrmse() < (bits >= 8 ? 0.01 : 0.1)), v.tensors().toString());
            assertEquals(Files.size(out), gguf.sizer(m.config(), ctx(Map.of()).parameters()).fixedBytes()
                    + sizes(m, bits), 32.0 * 3 * spec.layers(), "forecast within the stacks' padding");
        }
        try (GgufReader g = GgufReader.open(out)) {
            Map<String, GgufReader.Info> byName = new HashMap<>();
            for (GgufReader.Info t : g.tensors()) byName.put(t.name(), t);
            meta.clear();
            g.metadata().forEach((k, v) -> meta.put(k, v.value()));
            return byName;
        }
    }

    private long sizes(ModelDir m, int bits) {
        var sizer = gguf.sizer(m.config(), ctx(Map.of()).parameters());
        long n = 0;
        for (TensorInfo t : m.tensors()) {
            var a = new dev.swan.api.TensorAnalysis(t.name(), t.dtype(), t.shape(), m.classOf(t), null, Map.of());
            n += sizer.bytes(a, t.rank() >= 2 ? bits : 16, 0);
        }
        return n;
    }

    private final Map<String, Object> meta = new HashMap<>();

    @Test
    void qwen3MoeStacksExpertsAndReadsBack() throws IOException {
        Map<String, GgufReader.Info> t = written(SyntheticModel.qwen3Moe(), "q3m", 8);
        assertEquals("qwen3moe", meta.get("general.architecture"));
        assertEquals(8L, meta.get("qwen3moe.expert_count"));
        assertEquals(2L, meta.get("qwen3moe.expert_used_count"));
        assertEquals(64L, meta.get("qwen3moe.expert_feed_forward_length"));
        assertArrayEquals(new long[] {128, 64, 8}, t.get("blk.1.ffn_gate_exps.weight").ne());
        assertArrayEquals(new long[] {64, 128, 8}, t.get("blk.1.ffn_down_exps.weight").ne());
        assertEquals(GgmlType.Q8_0, t.get("blk.1.ffn_up_exps.weight").type());
        assertArrayEquals(new long[] {128, 8}, t.get("blk.0.ffn_gate_inp.weight").ne());
        assertEquals(GgmlType.F32, t.get("blk.0.ffn_gate_inp.weight").type(), "routers stay F32, as convert writes them");
        assertFalse(t.keySet().stream().anyMatch(n -> n.contains("ffn_gate.weight")));
        try (StoredModel s = gguf.openStored(tmp.resolve("q3m.gguf")).orElseThrow();
             ModelDir m = ModelFolder.open(tmp.resolve("q3m"))) {
            assertEquals("qwen3_moe", s.config().modelType());
            assertEquals(8, s.config().numExperts());
            assertEquals(Boolean.TRUE, s.config().get("norm_topk_prob"));
            StoredTensor stack = s.tensors().get("model.layers.1.mlp.experts.up_proj.weight");
            assertArrayEquals(new long[] {8, 64, 128}, stack.shape());
            float[] row = new float[128];
            float[] want = new float[128];
            stack.decodeRows(5 * 64 + 3, 1, row); // expert 5, row 3
            m.stream(m.find("model.layers.1.mlp.experts.5.up_proj.weight").orElseThrow()).readRow(3, want);
            for (int k = 0; k < 128; k++) assertEquals(want[k], row[k], 0.01 * Math.abs(want[k]) + 2e-3, "column " + k);
        }
    }

    @Test
    void storedStacksGiveTheSameFileLayout() throws IOException {
        SyntheticModel.Spec spec = SyntheticModel.qwen3Moe().withMoe(SyntheticModel.qwen3Moe().moe().withStacked(true));
        Map<String, GgufReader.Info> t = written(spec, "q3s", 4);
        assertArrayEquals(new long[] {128, 64, 8}, t.get("blk.0.ffn_gate_exps.weight").ne());
        assertEquals(GgmlType.Q5_0, t.get("blk.0.ffn_gate_exps.weight").type(), "Q4_K needs 256-wide rows: Q5_0, as llama-quantize falls back");
    }

    @Test
    void perExpertAndStackedCheckpointsGiveTheSameFile() throws IOException {
        Path slices = tmp.resolve("slices/m"); // one folder name: general.name is the model's
        SyntheticModel.write(SyntheticModel.qwen2Moe(), slices);
        Path stacked = tmp.resolve("stacked/m");
        SyntheticModel.restack(slices, stacked);
        byte[][] files = new byte[2][];
        int i = 0;
        for (Path src : List.of(slices, stacked)) {
            Path out = src.resolveSibling("m.gguf");
            try (ModelDir m = ModelFolder.open(src)) {
                gguf.write(m, bits(m, 4), out, ctx(Map.of()));
            }
            files[i++] = Files.readAllBytes(out);
        }
        assertArrayEquals(files[0], files[1]);
    }

    /**
     * llama-quantize's recipes on mixtures of experts, byte for byte: its own files of two synthetic MoE
     * models (made by llama-quantize from swan's F32 GGUF of the same weights; per tensor the ggml type and
     * the first 16 hex digits of the SHA-256 of its padded data are kept in the test resources) against
     * swan's {@code --preset} files: an 8-expert Mixtral (llama.cpp's 8-expert rules for attn_v, attn_k,
     * attn_output) and a qwen2moe whose shared expert's ffn_down follows the ffn_down rules too.
     */
    @Test
    void presetsEqualLlamaQuantizeOnMixturesOfExperts() throws Exception {
        Map<String, SyntheticModel.Spec> specs = Map.of(
                "mx256", SyntheticModel.mixtral().withSize(256, 256, 4, 4, 2, 64, 512).withMoe(new SyntheticModel.Moe(8, 2, 256, 0, false)),
                "q2m256", SyntheticModel.qwen2Moe().withSize(256, 512, 4, 4, 2, 64, 640).withMoe(new SyntheticModel.Moe(4, 2, 256, 256, false)));
        Map<String, Object> golden;
        try (var in = getClass().getResourceAsStream("/llama-quantize-moe.json")) {
            golden = dev.swan.toolkit.json.Json.parseObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, SyntheticModel.Spec> e : specs.entrySet()) {
            Path src = tmp.resolve("golden").resolve(e.getKey());
            SyntheticModel.write(e.getValue(), src);
            Map<?, ?> recipes = (Map<?, ?>) golden.get(e.getKey());
            for (Object recipe : recipes.keySet()) {
                Path out = tmp.resolve(e.getKey() + "-" + recipe + ".gguf");
                try (ModelDir m = ModelFolder.open(src)) {
                    gguf.write(m, bits(m, 4), out, ctx(gguf.baseline((String) recipe, true).orElseThrow()));
                }
                Map<?, ?> want = (Map<?, ?>) recipes.get(recipe);
                try (GgufReader g = GgufReader.open(out)) {
                    assertEquals(want.size(), g.tensors().size(), e.getKey() + " " + recipe);
                    for (GgufReader.Info t : g.tensors()) {
                        List<?> w = (List<?>) want.get(t.name());
                        byte[] data = new byte[(int) GgufLayout.align(t.bytes())];
                        g.read(t, 0, data, data.length);
                        String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(data)).substring(0, 16);
                        assertEquals(((Number) w.get(0)).intValue(), t.type().id(), e.getKey() + " " + recipe + " " + t.name() + " type");
                        assertEquals(w.get(1), hash, e.getKey() + " " + recipe + " " + t.name() + " bytes");
                    }
                }
            }
        }
    }

    @Test
    void qwen2MoeWritesTheSharedExpert() throws IOException {
        Map<String, GgufReader.Info> t = written(SyntheticModel.qwen2Moe(), "q2m", 8);
        assertEquals("qwen2moe", meta.get("general.architecture"));
        assertEquals(128L, meta.get("qwen2moe.expert_shared_feed_forward_length"));
        assertArrayEquals(new long[] {128}, t.get("blk.0.ffn_gate_inp_shexp.weight").ne());
        assertArrayEquals(new long[] {128, 128}, t.get("blk.0.ffn_gate_shexp.weight").ne());
        assertArrayEquals(new long[] {128}, t.get("blk.0.attn_q.bias").ne());
        assertTrue(t.containsKey("output.weight"));
    }

    @Test
    void mixtralIsLlamaWithExperts() throws IOException {
        Map<String, GgufReader.Info> t = written(SyntheticModel.mixtral(), "mx", 8);
        assertEquals("llama", meta.get("general.architecture"));
        assertEquals(4L, meta.get("llama.expert_count"));
        assertFalse(meta.containsKey("llama.expert_feed_forward_length"));
        assertArrayEquals(new long[] {128, 96, 4}, t.get("blk.0.ffn_up_exps.weight").ne());
        try (StoredModel s = gguf.openStored(tmp.resolve("mx.gguf")).orElseThrow()) {
            assertEquals("mixtral", s.config().modelType());
            assertTrue(s.tensors().containsKey("model.layers.0.block_sparse_moe.experts.w2.weight"));
            assertTrue(s.tensors().containsKey("model.layers.0.block_sparse_moe.gate.weight"));
        }
    }

    @Test
    void configsLlamaCppWouldRunDifferentlyAreRefused() throws IOException {
        Path src = tmp.resolve("tied");
        SyntheticModel.write(SyntheticModel.qwen2Moe().withTied(true, false), src);
        try (ModelDir m = ModelFolder.open(src)) {
            OutputException e = assertThrows(OutputException.class, () -> gguf.check(m, ctx(Map.of()).parameters()));
            assertTrue(e.getMessage().contains("needs its own output head"), e.getMessage());
        }
        Path narrow = tmp.resolve("narrow");
        SyntheticModel.write(SyntheticModel.mixtral().withMoe(new SyntheticModel.Moe(4, 2, 64, 0, false)), narrow);
        try (ModelDir m = ModelFolder.open(narrow)) {
            Exception e = assertThrows(dev.swan.api.ModelFormatException.class, () -> gguf.check(m, ctx(Map.of()).parameters()));
            assertTrue(e.getMessage().contains("config.json implies [64, 128]") || e.getMessage().contains("implies [96, 128]"),
                    e.getMessage());
        }
        Path norm = tmp.resolve("norm");
        SyntheticModel.write(SyntheticModel.qwen3Moe(), norm);
        String cfg = Files.readString(norm.resolve("config.json")).replace("\"norm_topk_prob\": true", "\"norm_topk_prob\": false");
        Files.writeString(norm.resolve("config.json"), cfg);
        try (ModelDir m = ModelFolder.open(norm)) {
            OutputException e = assertThrows(OutputException.class, () -> gguf.check(m, ctx(Map.of()).parameters()));
            assertTrue(e.getMessage().contains("norm_topk_prob false"), e.getMessage());
        }
    }
}
