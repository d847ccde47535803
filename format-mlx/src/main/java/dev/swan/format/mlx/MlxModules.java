package dev.swan.format.mlx;

import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelConfig;
import dev.swan.toolkit.model.TensorClassifier;
import dev.swan.api.model.TensorRole;
import java.util.EnumSet;
import java.util.Set;

/** Which source tensors mlx-lm holds in quantizable modules (Linear, Embedding, SwitchLinear), and which it drops. */
final class MlxModules {
    static final Set<Integer> BITS = Set.copyOf(dev.swan.api.AllocationPolicy.WIDTHS);
    static final Set<Integer> GROUPS = Set.copyOf(dev.swan.api.AllocationPolicy.GROUP_SIZES);
    private static final Set<TensorRole> QUANTIZABLE = EnumSet.of(TensorRole.EMBEDDING, TensorRole.LM_HEAD,
            TensorRole.ATTN_Q, TensorRole.ATTN_K, TensorRole.ATTN_V, TensorRole.ATTN_O, TensorRole.MLP_GATE,
            TensorRole.MLP_UP, TensorRole.MLP_DOWN, TensorRole.ROUTER, TensorRole.EXPERT_STACK);

    private MlxModules() {
    }

    /** A weight mlx-lm can replace by its quantized module: a Linear or Embedding ".weight" of rank ≥ 2. */
    static boolean quantizable(String name, int rank) {
        return rank >= 2 && name.endsWith(".weight") && QUANTIZABLE.contains(TensorClassifier.classify(name, rank).role());
    }

    /** Tensors the model class does not have: the head of tied models, rotary caches. */
    static boolean dropped(String name, ModelConfig config) {
        if (name.endsWith(".rotary_emb.inv_freq")) return true;
        return config.tieWordEmbeddings() && (name.equals("lm_head.weight") || name.startsWith("lm_head."));
    }

    /**
     * The SwitchLinear module mlx-lm stacks an expert weight into: {@code <block>.switch_mlp.gate_proj}
     * (Mixtral's w1, w3, w2 are its gate_proj, up_proj, down_proj).
     */
    static String switchPath(ExpertWeight x) {
        return "model.layers." + x.layer() + "." + x.block() + ".switch_mlp." + x.kind() + "_proj";
    }

    private static final java.util.regex.Pattern SWITCH = java.util.regex.Pattern.compile(
            "^model\\.layers\\.(\\d{1,9})\\.(mlp|block_sparse_moe)\\.switch_mlp\\.(gate|up|down)_proj\\.weight$");

    /** The Hugging Face stack name of a stored SwitchLinear weight ({@code mlp.experts.gate_proj.weight}), if it is one. */
    static java.util.Optional<String> hfStackName(String stored) {
        java.util.regex.Matcher m = SWITCH.matcher(stored);
        if (!m.matches()) return java.util.Optional.empty();
        return java.util.Optional.of("model.layers." + m.group(1) + "." + m.group(2) + ".experts."
                + ExpertWeight.spelling(m.group(2), m.group(3)) + ".weight");
    }

    /** The module path of a weight: the name without {@code .weight}. */
    static String modulePath(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }
}
