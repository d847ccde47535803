package dev.swan.toolkit.model;

import dev.swan.api.model.TensorClass;
import dev.swan.api.model.TensorRole;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule set that names what each tensor is, for every module of swan (allocator, formats,
 * inspect). Rules look at the module path (the name without {@code .weight}/{@code .bias}); they cover
 * Llama, Mistral, Qwen2/3 and their MoE variants, and fall back to {@link TensorRole#OTHER}.
 */
public final class TensorClassifier {
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)(?:layers|h|blocks|block)\\.(\\d+)\\.");
    private static final Pattern EXPERT = Pattern.compile("\\.experts\\.(\\d+)\\.");

    private TensorClassifier() {
    }

    public static TensorClass classify(String name, int rank) {
        String n = name.toLowerCase(Locale.ROOT);
        return new TensorClass(role(n, rank), index(LAYER, n), index(EXPERT, n));
    }

    private static int index(Pattern p, String n) {
        Matcher m = p.matcher(n);
        if (!m.find()) return -1;
        // a name can carry any digits: beyond int, the index is past every real layer (and refused as such)
        return m.group(1).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(m.group(1));
    }

    private static TensorRole role(String n, int rank) {
        if (n.contains("vision_model") || n.contains("vision_tower") || n.startsWith("visual.")
                || n.contains(".visual.") || n.contains("multi_modal_projector") || n.contains("mm_projector")) {
            return TensorRole.VISION;
        }
        String module = n;
        String param = "";
        int dot = n.lastIndexOf('.');
        if (dot >= 0) {
            module = n.substring(0, dot);
            param = n.substring(dot + 1);
        }
        String leaf = module.substring(module.lastIndexOf('.') + 1);
        if (param.equals("bias") && !leaf.contains("norm")) return TensorRole.BIAS;
        if (leaf.contains("norm") || leaf.startsWith("ln_") || leaf.equals("ln_f")) return TensorRole.NORM;
        if (leaf.equals("embed_tokens") || leaf.equals("wte") || leaf.equals("word_embeddings")
                || leaf.equals("tok_embeddings") || leaf.equals("embeddings")) {
            return TensorRole.EMBEDDING;
        }
        if (leaf.equals("lm_head") || module.equals("output")) return TensorRole.LM_HEAD;
        if (leaf.equals("router") || leaf.equals("gate") || (leaf.endsWith("_gate") && !leaf.startsWith("gate_"))
                || leaf.equals("gate_inp")) {
            return TensorRole.ROUTER;
        }
        if (rank == 3 && n.contains("experts")) return TensorRole.EXPERT_STACK;
        switch (leaf) {
            case "q_proj": case "wq": return TensorRole.ATTN_Q;
            case "k_proj": case "wk": return TensorRole.ATTN_K;
            case "v_proj": case "wv": return TensorRole.ATTN_V;
            case "o_proj": case "wo": case "out_proj": return TensorRole.ATTN_O;
            case "gate_proj": case "w1": case "gate_up_proj": return TensorRole.MLP_GATE;
            case "up_proj": case "w3": return TensorRole.MLP_UP;
            case "down_proj": case "w2": return TensorRole.MLP_DOWN;
            default: return TensorRole.OTHER;
        }
    }
}
