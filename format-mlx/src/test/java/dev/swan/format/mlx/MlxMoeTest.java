package dev.swan.format.mlx;

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
import dev.swan.toolkit.json.Json;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.TensorInfo;
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

/**
 * Mixture-of-experts MLX output as mlx-lm loads it: every projection's experts in one SwitchLinear
 * {@code switch_mlp.*_proj} [E, out, in] quantized per expert row-group with the stack's bits, config
 * entries at those module paths, the strict name check, and the same bytes whether the checkpoint
 * stores experts one by one or already stacked.
 */
class MlxMoeTest {
    @TempDir
    Path tmp;
    private final MlxFormat mlx = new MlxFormat();

    private FormatContext ctx() {
        return new FormatContext(Parameters.resolve("mlx", mlx.parameters(), Map.of(), "test"), Parallel.of(new ForkJoinPool(2)),
                ProgressSink.NONE, "test");
    }

    /** Experts and attention at 4 bits g32, the layer-1 down stack at 8 bits g64, everything else float. */
    private static AllocationPlan plan(ModelDir m) {
        List<TensorDecision> d = new ArrayList<>();
        for (TensorInfo t : m.tensors()) {
            boolean matrix = t.rank() >= 2 && !t.name().contains("embed") && !t.name().endsWith(".gate.weight")
                    && !t.name().contains("shared_expert_gate") && !t.name().startsWith("lm_head");
            boolean down1 = t.name().startsWith("model.layers.1.") && (t.name().contains("down_proj") || t.name().contains(".w2."))
                    && t.name().contains("experts");
            d.add(new TensorDecision(t.name(), !matrix ? 16 : down1 ? 8 : 4, !matrix ? 0 : down1 ? 64 : 32, "t", 0));
        }
        return new AllocationPlan("t", Map.of(), d);
    }

    private Path written(SyntheticModel.Spec spec, String name) throws IOException {
        Path src = tmp.resolve(name);
        SyntheticModel.write(spec, src);
        return write(src, name + "-mlx");
    }

    private Path write(Path src, String name) throws IOException {
        Path out = tmp.resolve(name);
        try (ModelDir m = ModelFolder.open(src)) {
            mlx.check(m, ctx().parameters());
            mlx.write(m, plan(m), out, ctx());
            VerifyReport v = mlx.verify(out, Optional.of(m), ctx());
            assertTrue(v.ok(), v.problems().toString());
        }
        return out;
    }

    @Test
    void qwen3MoeExpertsBecomeSwitchLinearStacks() throws IOException {
        Path out = written(SyntheticModel.qwen3Moe(), "q3m");
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            Map<String, TensorInfo> t = f.tensors();
            assertArrayEquals(new long[] {8, 64, 128 * 4 / 32}, t.get("model.layers.0.mlp.switch_mlp.gate_proj.weight").shape());
            assertArrayEquals(new long[] {8, 64, 4}, t.get("model.layers.0.mlp.switch_mlp.gate_proj.scales").shape());
            assertArrayEquals(new long[] {8, 128, 64 * 8 / 32}, t.get("model.layers.1.mlp.switch_mlp.down_proj.weight").shape());
            assertArrayEquals(new long[] {8, 128}, t.get("model.layers.0.mlp.gate.weight").shape(), "the router stays float");
            assertFalse(t.keySet().stream().anyMatch(n -> n.contains(".experts.")));
        }
        Map<String, Object> q = Json.parseObject(Files.readString(out.resolve("config.json")));
        Map<?, ?> quant = (Map<?, ?>) q.get("quantization");
        assertEquals(Map.of("group_size", 64L, "bits", 8L), quant.get("model.layers.1.mlp.switch_mlp.down_proj"));
        try (StoredModel s = mlx.openStored(out).orElseThrow(); ModelDir m = ModelFolder.open(tmp.resolve("q3m"))) {
            StoredTensor stack = s.tensors().get("model.layers.1.mlp.experts.down_proj.weight");
            assertArrayEquals(new long[] {8, 128, 64}, stack.shape());
            float[] row = new float[64];
            float[] want = new float[64];
            stack.decodeRows(6 * 128 + 5, 1, row);
            m.stream(m.find("model.layers.1.mlp.experts.6.down_proj.weight").orElseThrow()).readRow(5, want);
            for (int k = 0; k < 64; k++) assertEquals(want[k], row[k], 0.02 * Math.abs(want[k]) + 2e-3, "column " + k);
        }
    }

    /**
     * Byte-exact as for dense weights: expert 6's rows of the layer-1 down stack (8 bits, group 64) are
     * exactly the codes, scales and biases MLX's quantization of that expert's matrix alone gives.
     */
    @Test
    void eachExpertOfAStackIsQuantizedAsItsOwnMatrix() throws IOException {
        Path out = written(SyntheticModel.qwen3Moe(), "exact");
        int rows = 128, cols = 64, bits = 8, group = 64;
        float[] x = new float[rows * cols];
        try (ModelDir m = ModelFolder.open(tmp.resolve("exact"))) {
            m.stream(m.find("model.layers.1.mlp.experts.6.down_proj.weight").orElseThrow()).readFloats(0, x, 0, x.length);
        }
        int[] codes = new int[x.length];
        float[] scales = new float[rows * cols / group];
        float[] biases = new float[scales.length];
        AffineQuantizer.quantizeSearched(x, 0, group, scales.length, bits, dev.swan.api.tensor.DType.BF16, codes, scales, biases, 0);
        byte[] packed = new byte[rows * cols * bits / 8];
        for (int r = 0; r < rows; r++) BitPacker.pack(codes, r * cols, cols, bits, packed, r * cols * bits / 8);
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            String path = "model.layers.1.mlp.switch_mlp.down_proj";
            byte[] w = new byte[packed.length];
            f.data(f.tensors().get(path + ".weight")).readBytes(6L * packed.length, w, 0, w.length);
            assertArrayEquals(packed, w, "codes");
            byte[] sc = new byte[scales.length * 2];
            f.data(f.tensors().get(path + ".scales")).readBytes(6L * sc.length, sc, 0, sc.length);
            assertArrayEquals(MlxWriter.encode(scales, dev.swan.api.tensor.DType.BF16).array(), sc, "scales");
            byte[] bi = new byte[biases.length * 2];
            f.data(f.tensors().get(path + ".biases")).readBytes(6L * bi.length, bi, 0, bi.length);
            assertArrayEquals(MlxWriter.encode(biases, dev.swan.api.tensor.DType.BF16).array(), bi, "biases");
        }
    }

    @Test
    void storedStacksWriteTheSameBytes() throws IOException {
        Path slices = tmp.resolve("slices");
        SyntheticModel.write(SyntheticModel.qwen3Moe(), slices);
        Path stacked = tmp.resolve("stacked");
        SyntheticModel.restack(slices, stacked);
        Path a = write(slices, "a");
        Path b = write(stacked, "b");
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
        assertEquals(Files.readString(a.resolve("config.json")), Files.readString(b.resolve("config.json")));
    }

    @Test
    void qwen2MoeAndMixtralModulePaths() throws IOException {
        Path q2 = written(SyntheticModel.qwen2Moe(), "q2m");
        try (SafetensorsFile f = SafetensorsFile.open(q2.resolve("model.safetensors"))) {
            assertTrue(f.tensors().containsKey("model.layers.0.mlp.shared_expert.up_proj.scales"));
            assertTrue(f.tensors().containsKey("model.layers.0.mlp.shared_expert_gate.weight"));
            assertTrue(f.tensors().containsKey("model.layers.0.mlp.switch_mlp.up_proj.weight"));
        }
        Path mx = written(SyntheticModel.mixtral(), "mx");
        try (SafetensorsFile f = SafetensorsFile.open(mx.resolve("model.safetensors"))) {
            // w1, w3, w2 are the gate, up and down projections of mlx-lm's SwitchGLU
            assertArrayEquals(new long[] {4, 96, 128 * 4 / 32}, f.tensors().get("model.layers.0.block_sparse_moe.switch_mlp.gate_proj.weight").shape());
            assertArrayEquals(new long[] {4, 128, 96 * 4 / 32}, f.tensors().get("model.layers.0.block_sparse_moe.switch_mlp.down_proj.weight").shape());
            assertTrue(f.tensors().containsKey("model.layers.0.block_sparse_moe.gate.weight"));
        }
        Path tied = tmp.resolve("tied");
        SyntheticModel.write(SyntheticModel.qwen2Moe().withTied(true, false), tied);
        try (ModelDir m = ModelFolder.open(tied)) {
            OutputException e = assertThrows(OutputException.class, () -> mlx.check(m, ctx().parameters()));
            assertTrue(e.getMessage().contains("always has its own lm_head"), e.getMessage());
        }
    }
}
