package dev.swan.format.mlx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.swan.api.ConfigException;
import dev.swan.api.TensorDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * mlx_lm's mixed recipes, against the layers its predicate gives more bits, written out here by hand from
 * the published rule (first and last eighth, and every third layer after the first eighth) for real depths.
 */
class MlxRecipeTest {
    private static Set<Integer> highLayers(MlxRecipe r, int layers, String module) {
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < layers; i++) {
            if (r.bits("model.layers." + i + "." + module + ".weight", layers) == r.high()) out.add(i);
        }
        return out;
    }

    @Test
    void moreBitsWhereMlxLmsPredicateGivesThem() {
        MlxRecipe r = MlxRecipe.parse("mixed_3_6").orElseThrow();
        // 32 layers (Llama-3-8B): eighth = 4, last eighth from 28
        assertEquals(Set.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31), highLayers(r, 32, "self_attn.v_proj"));
        assertEquals(highLayers(r, 32, "self_attn.v_proj"), highLayers(r, 32, "mlp.down_proj"));
        assertEquals(Set.of(), highLayers(r, 32, "self_attn.q_proj"));
        assertEquals(Set.of(), highLayers(r, 32, "mlp.up_proj"));
        // 36 layers (Qwen3-8B): eighth = 4, last eighth from 31
        assertEquals(Set.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 31, 32, 33, 34, 35), highLayers(r, 36, "mlp.down_proj"));
        // 4 layers (qwen3-gutenberg-4m): no first eighth, the last from 3, every third from 2
        assertEquals(Set.of(2, 3), highLayers(r, 4, "self_attn.v_proj"));
        // experts: mlx_lm's switch_mlp.down_proj, one decision per expert slice here
        assertEquals(6, r.bits("model.layers.0.mlp.experts.7.down_proj.weight", 32));
        assertEquals(6, r.bits("lm_head.weight", 32));
        assertEquals(3, r.bits("model.embed_tokens.weight", 32), "the embedding gets the low bits");
    }

    @Test
    void recipesAndTheirWidths() {
        assertEquals(List.of("mixed_2_6", "mixed_3_4", "mixed_3_6", "mixed_4_6"), MlxRecipe.names());
        MlxRecipe r34 = MlxRecipe.parse("mixed_3_4").orElseThrow();
        assertEquals(4, r34.bits("lm_head.weight", 8));
        assertEquals(3, r34.bits("model.layers.1.mlp.gate_proj.weight", 8));
        assertThrows(ConfigException.class, () -> MlxRecipe.of("mixed_5_8"));
    }

    @Test
    void floatsAndOverridesAreKept() {
        MlxRecipe r = MlxRecipe.parse("mixed_2_6").orElseThrow();
        List<TensorDecision> in = new ArrayList<>(List.of(new TensorDecision("model.norm.weight", 16, 0, "t", 0),
                new TensorDecision("model.layers.0.self_attn.q_proj.weight", 8, 32, "t", 0),
                new TensorDecision("model.layers.0.mlp.down_proj.weight", 8, 32, TensorDecision.OVERRIDE + "down", 0)));
        List<TensorDecision> out = r.apply(new dev.swan.api.AllocationPlan("u", java.util.Map.of(), in), 16).decisions();
        assertEquals(16, out.get(0).bits());
        assertEquals(2, out.get(1).bits());
        assertEquals(64, out.get(1).groupSize());
        assertEquals(8, out.get(2).bits(), "a user's override wins over the recipe");
    }
}
