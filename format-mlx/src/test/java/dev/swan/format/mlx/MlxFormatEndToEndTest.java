package dev.swan.format.mlx;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorDecision;
import dev.swan.api.VerifyReport;
import dev.swan.api.WriteReport;
import dev.swan.toolkit.json.Json;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
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

class MlxFormatEndToEndTest {
    @TempDir
    Path tmp;
    private final MlxFormat mlx = new MlxFormat();

    private FormatContext ctx(Map<String, Object> p) {
        return new FormatContext(Parameters.resolve("mlx", mlx.parameters(), p, "test"),
                Parallel.of(new ForkJoinPool(2)), ProgressSink.NONE, "test");
    }

    /** Every 2-D tensor at {@code bits} (g64 if divisible, else float), as a uniform plan. */
    private static AllocationPlan uniform(ModelDir m, int bits) {
        List<TensorDecision> d = new ArrayList<>();
        for (TensorInfo t : m.tensors()) {
            boolean q = t.rank() == 2 && t.cols() % 64 == 0;
            d.add(new TensorDecision(t.name(), q ? bits : 16, q ? 64 : 0, q ? "uniform" : "float", Double.NaN));
        }
        return new AllocationPlan("test", Map.of(), d);
    }

    @Test
    void storiesUniform4PassesVerifyAndWritesNoHead() throws IOException {
        try (ModelDir m = ModelFolder.open(SharedModels.model("stories260K-bf16"))) {
            Path out = tmp.resolve("u4");
            WriteReport r = mlx.write(m, uniform(m, 4), out, ctx(Map.of()));
            VerifyReport v = mlx.verify(out, Optional.of(m), ctx(Map.of()));
            assertTrue(v.ok(), v.problems().toString());
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                assertFalse(f.tensors().keySet().stream().anyMatch(n -> n.startsWith("lm_head")), "tied: no lm_head.*");
                TensorInfo down = f.tensors().get("model.layers.0.mlp.down_proj.weight");
                assertEquals(DType.BF16, down.dtype(), "172 columns: kept unquantized");
                TensorInfo q = f.tensors().get("model.layers.0.self_attn.q_proj.weight");
                assertEquals(DType.U32, q.dtype());
                assertEquals(List.of(64L, 8L), q.shapeList());
                assertEquals(List.of(64L, 1L), f.tensors().get("model.layers.0.self_attn.q_proj.scales").shapeList());
                assertEquals(DType.BF16, f.tensors().get("model.layers.0.self_attn.q_proj.scales").dtype());
                assertEquals("mlx", f.metadata().get("format"));
            }
            Map<String, Object> cfg = Json.parseObject(Files.readString(out.resolve("config.json")));
            @SuppressWarnings("unchecked")
            Map<String, Object> q = (Map<String, Object>) cfg.get("quantization");
            assertEquals(64L, q.get("group_size"));
            assertEquals(4L, q.get("bits"));
            assertEquals("affine", q.get("mode"));
            assertEquals(q, cfg.get("quantization_config"));
            assertTrue(Files.exists(out.resolve("tokenizer.json")) && Files.exists(out.resolve("README.md")));
            assertTrue(Files.readString(out.resolve("README.md")).contains("library_name: mlx"));
            for (VerifyReport.Check c : v.tensors()) {
                if (c.type().startsWith("affine4")) assertTrue(c.nrmse() > 0 && c.nrmse() < 0.2, c.toString());
            }
            assertTrue(r.bytes() > 0);
        }
    }

    @Test
    void mixedPlanWritesPerModuleEntries() throws IOException {
        try (ModelDir m = ModelFolder.open(SharedModels.model("stories260K-bf16"))) {
            List<TensorDecision> d = new ArrayList<>();
            for (TensorInfo t : m.tensors()) {
                String n = t.name();
                if (n.endsWith("q_proj.weight")) d.add(new TensorDecision(n, 8, 32, "x", 0));
                else if (n.endsWith("k_proj.weight")) d.add(new TensorDecision(n, 16, 0, "x", 0));
                else if (n.endsWith("gate_proj.weight") || n.endsWith("up_proj.weight") || n.endsWith("o_proj.weight")
                        || n.endsWith("v_proj.weight")) d.add(new TensorDecision(n, 4, 64, "x", 0));
                else if (n.endsWith("down_proj.weight")) d.add(new TensorDecision(n, 4, 64, "x", 0)); // not divisible
                else if (n.equals("model.embed_tokens.weight")) d.add(new TensorDecision(n, 6, 64, "x", 0));
                else d.add(new TensorDecision(n, 16, 0, "x", 0));
            }
            Path out = tmp.resolve("mixed");
            WriteReport r = mlx.write(m, new AllocationPlan("t", Map.of(), d), out, ctx(Map.of()));
            VerifyReport v = mlx.verify(out, Optional.of(m), ctx(Map.of()));
            assertTrue(v.ok(), v.problems().toString());
            Map<String, Object> cfg = Json.parseObject(Files.readString(out.resolve("config.json")));
            @SuppressWarnings("unchecked")
            Map<String, Object> q = (Map<String, Object>) cfg.get("quantization");
            assertEquals(Map.of("group_size", 32L, "bits", 8L), q.get("model.layers.2.self_attn.q_proj"));
            assertEquals(Map.of("group_size", 64L, "bits", 6L), q.get("model.embed_tokens"));
            assertFalse(q.containsKey("model.layers.2.self_attn.k_proj"), "float modules need no entry");
            assertTrue(r.tensors().stream().anyMatch(w -> w.name().endsWith("down_proj.weight") && w.note().contains("172")));
        }
    }

    @Test
    void shardsAndIndexOnSyntheticQwen() throws IOException {
        Path src = tmp.resolve("qwen");
        SyntheticModel.write(SyntheticModel.qwen3().withSize(512, 1536, 4, 8, 4, 64, 1024), src);
        try (ModelDir m = ModelFolder.open(src)) {
            Path out = tmp.resolve("q-out");
            mlx.write(m, uniform(m, 4), out, ctx(Map.of("max_shard_mb", 1)));
            long shards;
            try (var files = Files.list(out)) {
                shards = files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count();
            }
            assertTrue(shards > 1, "several shards of at most 1 MiB");
            assertTrue(Files.exists(out.resolve(String.format("model-00001-of-%05d.safetensors", shards))));
            assertFalse(Files.exists(out.resolve("model.safetensors")));
            Map<String, Object> idx = Json.parseObject(Files.readString(out.resolve("model.safetensors.index.json")));
            @SuppressWarnings("unchecked")
            Map<String, Object> wm = (Map<String, Object>) idx.get("weight_map");
            assertTrue(wm.containsKey("lm_head.scales"), "untied head is quantized");
            VerifyReport v = mlx.verify(out, Optional.of(m), ctx(Map.of()));
            assertTrue(v.ok(), v.problems().toString());
        }
    }

    @Test
    void verifyCatchesBrokenOutputs() throws IOException {
        try (ModelDir m = ModelFolder.open(SharedModels.model("stories260K-bf16"))) {
            Path out = tmp.resolve("broken");
            mlx.write(m, uniform(m, 4), out, ctx(Map.of()));
            Path cfg = out.resolve("config.json");
            String text = Files.readString(cfg);
            Files.writeString(cfg, text.replaceFirst("\"bits\": 4", "\"bits\": 8"));
            VerifyReport v = mlx.verify(out, Optional.empty(), ctx(Map.of()));
            assertFalse(v.ok());
            assertTrue(v.problems().stream().anyMatch(p -> p.contains("needs scales/biases")), v.problems().toString());
        }
    }
}
