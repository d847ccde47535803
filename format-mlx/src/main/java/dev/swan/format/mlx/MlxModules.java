package dev.swan.format.mlx;

import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.TensorClassifier;
import dev.swan.api.model.TensorRole;
import java.util.EnumSet;
import java.util.Set;

/** Which source tensors mlx-lm holds in quantizable modules (Linear, Embedding, SwitchLinear), and which it drops. */
final class MlxModules {
    static final Set<Integer> BITS = Set.of(2, 3, 4, 5, 6, 8);
    static final Set<Integer> GROUPS = Set.of(32, 64, 128);
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

    /** The module path of a weight: the name without {@code .weight}. */
    static String modulePath(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }
}
