package dev.swan.format.mlx;

import dev.swan.api.AllocationPlan;
import dev.swan.api.ConfigException;
import dev.swan.api.TensorDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * mlx_lm.convert's mixed recipes ({@code --quant-predicate mixed_3_6} ...), the MLX world's Q4_K_M: every
 * module mlx_lm quantizes gets {@code low} bits, except {@code high} bits for v_proj and down_proj in the
 * first and last eighth of the layers and every third layer between, and for lm_head; group 64, affine.
 * The rule is mlx_lm's, substring matches on the module path included, so the bits per module are the
 * ones its predicate returns.
 */
record MlxRecipe(String name, int low, int high) {
    static final int GROUP = 64;

    private static final List<MlxRecipe> ALL = List.of(new MlxRecipe("mixed_2_6", 2, 6), new MlxRecipe("mixed_3_4", 3, 4),
            new MlxRecipe("mixed_3_6", 3, 6), new MlxRecipe("mixed_4_6", 4, 6));

    static Optional<MlxRecipe> parse(String name) {
        return ALL.stream().filter(r -> r.name.equals(name)).findFirst();
    }

    static List<String> names() {
        return ALL.stream().map(MlxRecipe::name).toList();
    }

    /** The recipe named by format parameter {@code recipe}, if one is. */
    static Optional<MlxRecipe> of(String parameter) {
        if (parameter == null || parameter.isEmpty()) return Optional.empty();
        return Optional.of(parse(parameter).orElseThrow(() -> new ConfigException("mlx", 0, 0, "recipe: unknown '" + parameter
                + "' (mlx_lm's recipes: " + String.join(", ", names()) + ")")));
    }

    /**
     * The bits mlx_lm's predicate gives the module of tensor {@code name}. Its layer index is the path's
     * first all-digit part, 0 where there is none (embedding, head): where mlx_lm reads it for the
     * architectures it runs ({@code model.layers.N...}).
     */
    int bits(String name, int numLayers) {
        String path = MlxModules.modulePath(name);
        int index = 0;
        for (String part : path.split("\\.")) {
            if (!part.isEmpty() && part.length() < 10 && part.chars().allMatch(Character::isDigit)) {
                index = Integer.parseInt(part);
                break;
            }
        }
        boolean more = index < numLayers / 8 || index >= 7 * numLayers / 8 || Math.floorMod(index - numLayers / 8, 3) == 2;
        boolean value = path.contains("v_proj") || path.contains("v_a_proj") || path.contains("v_b_proj");
        if ((value || path.contains("down_proj")) && more) return high;
        if (path.contains("lm_head")) return high;
        return low;
    }

    /**
     * The plan with every quantized decision the recipe's (bits as above, group 64); floats stay float
     * and a user's override wins, as a --tensor-type over a llama-quantize recipe.
     */
    AllocationPlan apply(AllocationPlan plan, int numLayers) {
        List<TensorDecision> out = new ArrayList<>();
        for (TensorDecision d : plan.decisions()) out.add(apply(d, numLayers));
        return new AllocationPlan(plan.allocator(), plan.settings(), out);
    }

    /** One decision as the recipe makes it (a float or an override unchanged). */
    TensorDecision apply(TensorDecision d, int numLayers) {
        if (!d.quantized() || d.isOverride()) return d;
        return new TensorDecision(d.name(), bits(d.name(), numLayers), GROUP, "mlx_lm " + name, d.composite());
    }

    @Override
    public String toString() {
        return name + " (" + low + "/" + high + " bits, group " + GROUP + ")";
    }
}
