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
import dev.swan.api.TensorDecision;
import dev.swan.api.VerifyReport;
import dev.swan.api.WriteReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFormatTest {
    @TempDir
    Path tmp;
    private final GgufFormat gguf = new GgufFormat();

    private Parameters params(Map<String, Object> p) {
        return Parameters.resolve("gguf", gguf.parameters(), p, "test");
    }

    private FormatContext ctx(Map<String, Object> p) {
        return new FormatContext(params(p), Parallel.of(new ForkJoinPool(2)), ProgressSink.NONE, "test");
    }

    private static AllocationPlan bits(ModelDir m, int bits) {
        List<TensorDecision> d = new ArrayList<>();
        for (TensorInfo t : m.tensors()) d.add(new TensorDecision(t.name(), t.rank() == 2 ? bits : 16, 0, "t", 0));
        return new AllocationPlan("t", Map.of(), d);
    }

    @Test
    void storiesQ8ReadsBackAndVerifies() throws IOException {
        try (ModelDir m = ModelFolder.open(SharedModels.model("stories260K"))) {
            gguf.check(m, params(Map.of()));
            Path out = tmp.resolve("s.gguf");
            WriteReport r = gguf.write(m, bits(m, 8), out, ctx(Map.of()));
            assertEquals(Files.size(out), r.bytes());
            try (GgufReader g = GgufReader.open(out)) {
                assertEquals("llama", g.metadata().get("general.architecture").value());
                assertEquals(GgufValue.UINT32, g.metadata().get("llama.block_count").type());
                assertEquals(GgufValue.FLOAT32, g.metadata().get("llama.rope.freq_base").type());
                assertEquals(512, g.metadata().get("tokenizer.ggml.tokens").list().size());
                assertEquals("llama", g.metadata().get("tokenizer.ggml.model").value());
                assertEquals(1L, g.metadata().get("tokenizer.ggml.bos_token_id").value());
                GgufReader.Info down = g.tensors().stream().filter(t -> t.name().equals("blk.0.ffn_down.weight")).findFirst().get();
                assertEquals(GgmlType.F16, down.type(), "172 columns: Q8_0 falls back to F16");
                assertArrayEquals(new long[] {172, 64}, down.ne());
                GgufReader.Info q = g.tensors().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst().get();
                assertEquals(GgmlType.Q8_0, q.type());
                assertTrue(g.tensors().stream().noneMatch(t -> t.name().equals("output.weight")),
                        "tied: the stored copy of the head is not written (llama.cpp reads token_embd)");
                assertTrue(g.tensors().stream().filter(t -> t.name().endsWith("_norm.weight")).allMatch(t -> t.type() == GgmlType.F32));
            }
            VerifyReport v = gguf.verify(out, Optional.of(m), ctx(Map.of()));
            assertTrue(v.ok(), v.problems().toString());
            for (VerifyReport.Check c : v.tensors()) assertTrue(c.nrmse() < 0.02, c.toString());
        }
    }

    /**
     * What is written is what is read: with ggml's reference quantizers (importance none), every tensor
     * decodes to the quantizer's own round trip of the source.
     */
    @Test
    void readBackEqualsWrittenOnSyntheticQwen3() throws IOException {
        Path src = tmp.resolve("qwen");
        SyntheticModel.write(SyntheticModel.qwen3().withSize(256, 512, 2, 4, 2, 64, 512), src);
        try (ModelDir m = ModelFolder.open(src)) {
            gguf.check(m, params(Map.of()));
            Path out = tmp.resolve("q.gguf");
            gguf.write(m, bits(m, 4), out, ctx(Map.of("importance", "none")));
            try (GgufReader g = GgufReader.open(out)) {
                assertEquals("qwen2", g.metadata().get("tokenizer.ggml.pre").value());
                assertEquals("gpt2", g.metadata().get("tokenizer.ggml.model").value());
                assertEquals(64L, g.metadata().get("qwen3.attention.key_length").value());
                assertFalse(g.metadata().containsKey("qwen3.rope.dimension_count"));
                for (GgufReader.Info t : g.tensors()) {
                    if (t.ne().length < 2) continue;
                    String hf = hfName(t.name());
                    float[] row = new float[(int) t.ne()[0]];
                    m.data(hf).readRow(1, row);
                    byte[] q = new byte[(int) t.type().rowBytes(row.length)];
                    t.type().quantizer().quantizeRow(row, 0, row.length, q, 0);
                    byte[] stored = new byte[q.length];
                    g.read(t, q.length, stored, q.length);
                    assertArrayEquals(q, stored, t.name() + " (" + t.type() + ")");
                }
            }
            assertTrue(gguf.verify(out, Optional.of(m), ctx(Map.of())).ok());
        }
    }

    private static String hfName(String g) {
        if (g.equals("token_embd.weight")) return "model.embed_tokens.weight";
        if (g.equals("output.weight")) return "lm_head.weight";
        String n = g.replace("blk.", "model.layers.");
        return n.replace("attn_q.weight", "self_attn.q_proj.weight").replace("attn_k.weight", "self_attn.k_proj.weight")
                .replace("attn_v.weight", "self_attn.v_proj.weight").replace("attn_output.weight", "self_attn.o_proj.weight")
                .replace("ffn_gate", "mlp.gate_proj").replace("ffn_up", "mlp.up_proj").replace("ffn_down", "mlp.down_proj");
    }

    /** Llama q/k rows are re-ordered for llama.cpp's RoPE: row h·hd + 2i + j comes from h·hd + j·hd/2 + i. */
    @Test
    void llamaQkRowsArePermuted() throws IOException {
        Path src = tmp.resolve("llama");
        SyntheticModel.write(SyntheticModel.llama(), src);
        try (ModelDir m = ModelFolder.open(src)) {
            Path out = tmp.resolve("l.gguf");
            gguf.write(m, bits(m, 16), out, ctx(Map.of("type_16", "F32")));
            try (GgufReader g = GgufReader.open(out)) {
                GgufReader.Info q = g.tensors().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst().get();
                float[] got = new float[128];
                float[] want = new float[128];
                byte[] scratch = new byte[512];
                int hd = 32;
                for (int r = 0; r < 128; r++) {
                    g.readRow(q, r, got, scratch);
                    int h = r / hd;
                    int w = r % hd;
                    m.data("model.layers.0.self_attn.q_proj.weight").readRow(h * hd + (w % 2) * (hd / 2) + w / 2, want);
                    assertArrayEquals(want, got, "row " + r);
                }
            }
        }
    }

    @Test
    void refusesUnsupportedArchitecture() throws IOException {
        Path src = tmp.resolve("gpt");
        SyntheticModel.write(SyntheticModel.llama(), src);
        Path cfg = src.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("LlamaForCausalLM", "GPTNeoXForCausalLM").replace("\"llama\"", "\"gpt_neox\""));
        try (ModelDir m = ModelFolder.open(src)) {
            OutputException e = assertThrows(OutputException.class, () -> gguf.check(m, params(Map.of())));
            assertTrue(e.getMessage().contains("GPTNeoXForCausalLM") && e.getMessage().contains("not supported"), e.getMessage());
        }
    }

    @Test
    void refusesMissingOrUnreadableTokenizer() throws IOException {
        Path src = tmp.resolve("notok");
        SyntheticModel.write(SyntheticModel.llama(), src);
        Files.delete(src.resolve("tokenizer.json"));
        try (ModelDir m = ModelFolder.open(src)) {
            OutputException e = assertThrows(OutputException.class, () -> gguf.check(m, params(Map.of())));
            assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
        }
        Files.writeString(src.resolve("tokenizer.json"), "{ not json");
        try (ModelDir m = ModelFolder.open(src)) {
            OutputException e = assertThrows(OutputException.class, () -> gguf.check(m, params(Map.of())));
            assertTrue(e.getMessage().contains("unreadable tokenizer"), e.getMessage());
        }
    }

    @Test
    void refusesVocabSizeThatDisagreesWithEmbedding() throws IOException {
        Path src = tmp.resolve("vocab");
        SyntheticModel.write(SyntheticModel.llama(), src);
        Path cfg = src.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"vocab_size\": 512", "\"vocab_size\": 600"));
        try (ModelDir m = ModelFolder.open(src)) {
            dev.swan.api.SwanException e = assertThrows(dev.swan.api.SwanException.class, () -> gguf.check(m, params(Map.of())));
            assertTrue(e.getMessage().contains("vocab_size 600") && e.getMessage().contains("512 rows"), e.getMessage());
        }
    }

    @Test
    void refusesTensorNamesOver63Bytes() {
        GgufLayout layout = new GgufLayout();
        String longName = "blk.0." + "x".repeat(60) + ".weight";
        OutputException e = assertThrows(OutputException.class, () -> GgufPlan.checkName(longName));
        assertTrue(e.getMessage().contains("over 63 bytes"));
        assertEquals(0, layout.tensors.size());
    }

    @Test
    void refusesNonFiniteWeightsAndWritesNothing() throws IOException {
        Path src = tmp.resolve("nan");
        SyntheticModel.write(SyntheticModel.llama(), src);
        // poison one weight of q_proj in layer 1
        try (ModelDir m = ModelFolder.open(src)) {
            TensorInfo t = m.tensor("model.layers.1.self_attn.q_proj.weight");
            try (var ch = java.nio.channels.FileChannel.open(t.file(), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, (byte) 0xc0, 0x7f}), t.dataStart() + 40);
            }
        }
        try (ModelDir m = ModelFolder.open(src)) {
            Path out = tmp.resolve("nan.gguf");
            OutputException e = assertThrows(OutputException.class, () -> gguf.write(m, bits(m, 4), out, ctx(Map.of())));
            assertTrue(e.getMessage().contains("model.layers.1.self_attn.q_proj.weight") && e.getMessage().contains("NaN"));
        }
    }

    @Test
    void refusesValuesF16CannotHold() throws IOException {
        Path src = tmp.resolve("big");
        SyntheticModel.write(SyntheticModel.llama(), src);
        try (ModelDir m = ModelFolder.open(src)) {
            TensorInfo t = m.tensor("model.layers.0.mlp.up_proj.weight");
            try (var ch = java.nio.channels.FileChannel.open(t.file(), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0x24, 0x74, 0x49}), t.dataStart() + 8); // 1e6f
            }
        }
        try (ModelDir m = ModelFolder.open(src)) {
            OutputException e = assertThrows(OutputException.class,
                    () -> gguf.write(m, bits(m, 16), tmp.resolve("f16.gguf"), ctx(Map.of("type_16", "F16"))));
            assertTrue(e.getMessage().contains("up_proj") && e.getMessage().contains("65504"), e.getMessage());
            gguf.write(m, bits(m, 16), tmp.resolve("bf16.gguf"), ctx(Map.of("type_16", "BF16")));
        }
    }

    @Test
    void verifyRejectsTruncatedFile() throws IOException {
        try (ModelDir m = ModelFolder.open(SharedModels.model("stories260K"))) {
            Path out = tmp.resolve("t.gguf");
            gguf.write(m, bits(m, 8), out, ctx(Map.of()));
            byte[] b = Files.readAllBytes(out);
            Files.write(out, java.util.Arrays.copyOf(b, b.length - 16));
            VerifyReport v = gguf.verify(out, Optional.empty(), ctx(Map.of()));
            assertFalse(v.ok());
            assertTrue(v.problems().get(0).contains("truncated") || v.problems().get(0).contains("not padded"), v.problems().toString());
        }
    }

    /** Property: a GGUF with random bytes changed in its header reads back or is refused, one clear line. */
    @Test
    void corruptedHeadersAreRefusedCleanly() throws IOException {
        Path src = tmp.resolve("small");
        SyntheticModel.write(SyntheticModel.llama().withSize(64, 128, 1, 2, 1, 32, 512), src);
        Path good = tmp.resolve("good.gguf");
        try (ModelDir m = ModelFolder.open(src)) {
            gguf.write(m, bits(m, 8), good, ctx(Map.of()));
        }
        byte[] original = Files.readAllBytes(good);
        long headerEnd;
        try (GgufReader g = GgufReader.open(good)) {
            headerEnd = g.dataStart();
        }
        java.util.Random r = new java.util.Random(11);
        Path bad = tmp.resolve("bad.gguf");
        int refused = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = original.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) b[r.nextInt((int) headerEnd)] = (byte) r.nextInt(256);
            Files.write(bad, b);
            VerifyReport v = gguf.verify(bad, Optional.empty(), ctx(Map.of()));
            for (String p : v.problems()) {
                assertTrue(p.lines().count() == 1 && p.length() < 1000, "trial " + trial + ": " + p);
            }
            if (!v.ok()) refused++;
        }
        assertTrue(refused > 200, "most mutations are caught: " + refused);
    }
}
