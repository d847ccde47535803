package dev.swan.allocator.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.ConfigException;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The baseline: every quantizable tensor at one width, like mlx_lm.convert -q. */
class UniformAllocatorTest {
    private final UniformAllocator allocator = new UniformAllocator();

    private AllocationRequest request(List<TensorAnalysis> ts, Map<String, Object> params) {
        return new AllocationRequest(ts, Map.of(), AllocationPolicy.defaults(),
                Parameters.resolve("uniform", allocator.parameters(), params, "test"), ThresholdAllocatorTest.MLX);
    }

    @Test
    void quantizesEveryMatrixWhoseRowsTheGroupDivides() {
        List<TensorAnalysis> ts = ThresholdAllocatorTest.shapesOnly(List.of(
                ThresholdAllocatorTest.tensor("model.embed_tokens.weight", 512, 256, 0),
                ThresholdAllocatorTest.tensor("model.layers.0.self_attn.q_proj.weight", 256, 256, 0),
                ThresholdAllocatorTest.tensor("model.layers.0.mlp.down_proj.weight", 256, 172, 0),
                ThresholdAllocatorTest.skipped("model.layers.0.input_layernorm.weight", 256)));
        Map<String, TensorDecision> p = allocator.allocate(request(ts, Map.of("bits", 3)), ProgressSink.NONE).byName();
        assertEquals(3, p.get("model.embed_tokens.weight").bits());
        assertEquals(64, p.get("model.layers.0.self_attn.q_proj.weight").groupSize());
        assertEquals(16, p.get("model.layers.0.mlp.down_proj.weight").bits());
        assertTrue(p.get("model.layers.0.mlp.down_proj.weight").reason().contains("not divisible by group 64"));
        assertEquals(16, p.get("model.layers.0.input_layernorm.weight").bits());
        AllocationPlan kept = allocator.allocate(request(ts, Map.of("quantize_embeddings", false)), ProgressSink.NONE);
        assertEquals(16, kept.byName().get("model.embed_tokens.weight").bits());
    }

    @Test
    void widthsNoFormatStoresAreRefusedBeforeAnyWork() {
        List<TensorAnalysis> ts = List.of();
        ConfigException bits = assertThrows(ConfigException.class, () -> allocator.preflight(request(ts, Map.of("bits", 7))));
        assertTrue(bits.getMessage().contains("2, 3, 4, 5, 6, 8; got 7"), bits.getMessage());
        ConfigException group = assertThrows(ConfigException.class,
                () -> allocator.preflight(request(ts, Map.of("group_size", 48))));
        assertTrue(group.getMessage().contains("32, 64 or 128; got 48"), group.getMessage());
        allocator.preflight(request(ts, Map.of("bits", 8, "group_size", 32)));
    }
}
