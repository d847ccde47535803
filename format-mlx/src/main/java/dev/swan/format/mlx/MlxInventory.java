package dev.swan.format.mlx;

import dev.swan.api.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters mlx-lm's model classes create for the families swan writes (llama, mistral, qwen2,
 * qwen3, and the mixtures of experts qwen3_moe, qwen2_moe, mixtral with their SwitchGLU stacks): module path → [rows, cols] of the float weight, or [n] for vectors. Used by
 * {@code swan verify} to check the name set as {@code load_weights(strict=True)} would.
 */
final class MlxInventory {
    private MlxInventory() {
    }

    /** Expected float shapes by parameter name; empty for architectures swan has no inventory for. */
    static Optional<Map<String, long[]>> expected(ModelConfig c) {
        String type = c.modelType();
        if (!java.util.Set.of("llama", "mistral", "qwen2", "qwen3", "qwen3_moe", "qwen2_moe", "mixtral").contains(type)) {
            return Optional.empty();
        }
        boolean moe = type.endsWith("_moe") || type.equals("mixtral");
        int experts = c.numExperts();
        int fe = type.equals("mixtral") ? c.intermediateSize().orElse(0) : c.optInt("moe_intermediate_size").orElse(0);
        int fs = c.optInt("shared_expert_intermediate_size").orElse(0);
        java.util.Set<Integer> dense = new java.util.HashSet<>();
        if (type.equals("qwen3_moe")) {
            if (c.get("mlp_only_layers") instanceof java.util.List<?> only) {
                for (Object o : only) if (o instanceof Number n) dense.add(n.intValue());
            }
            int step = Math.max(1, c.optInt("decoder_sparse_step").orElse(1));
            for (int l = 0; l < c.numLayers().orElse(0); l++) if ((l + 1) % step != 0) dense.add(l);
        }
        int h = c.hiddenSize().orElse(0);
        int f = c.intermediateSize().orElse(0);
        int layers = c.numLayers().orElse(0);
        int heads = c.numHeads().orElse(0);
        int kv = c.numKvHeads().orElse(heads);
        int hd = c.headDim().orElse(0);
        int vocab = c.vocabSize().orElse(0);
        boolean qkvBias = type.startsWith("qwen2") || Boolean.TRUE.equals(c.get("attention_bias"));
        boolean mlpBias = Boolean.TRUE.equals(c.get("mlp_bias"));
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[] {vocab, h});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "input_layernorm.weight", new long[] {h});
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
            m.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * hd, h});
            m.put(p + "self_attn.k_proj.weight", new long[] {(long) kv * hd, h});
            m.put(p + "self_attn.v_proj.weight", new long[] {(long) kv * hd, h});
            m.put(p + "self_attn.o_proj.weight", new long[] {h, (long) heads * hd});
            if (qkvBias) {
                m.put(p + "self_attn.q_proj.bias", new long[] {(long) heads * hd});
                m.put(p + "self_attn.k_proj.bias", new long[] {(long) kv * hd});
                m.put(p + "self_attn.v_proj.bias", new long[] {(long) kv * hd});
            }
            if (Boolean.TRUE.equals(c.get("attention_bias")) && !type.startsWith("qwen2")) {
                m.put(p + "self_attn.o_proj.bias", new long[] {h});
            }
            if (type.startsWith("qwen3")) {
                m.put(p + "self_attn.q_norm.weight", new long[] {hd});
                m.put(p + "self_attn.k_norm.weight", new long[] {hd});
            }
            if (moe && !dense.contains(l)) {
                // SwitchGLU: one [E, out, in] SwitchLinear per projection, and the router
                String b = p + (type.equals("mixtral") ? "block_sparse_moe." : "mlp.");
                m.put(b + "gate.weight", new long[] {experts, h});
                m.put(b + "switch_mlp.gate_proj.weight", new long[] {experts, fe, h});
                m.put(b + "switch_mlp.up_proj.weight", new long[] {experts, fe, h});
                m.put(b + "switch_mlp.down_proj.weight", new long[] {experts, h, fe});
                if (type.equals("qwen2_moe")) {
                    m.put(b + "shared_expert.gate_proj.weight", new long[] {fs, h});
                    m.put(b + "shared_expert.up_proj.weight", new long[] {fs, h});
                    m.put(b + "shared_expert.down_proj.weight", new long[] {h, fs});
                    m.put(b + "shared_expert_gate.weight", new long[] {1, h});
                }
                continue;
            }
            m.put(p + "mlp.gate_proj.weight", new long[] {f, h});
            m.put(p + "mlp.up_proj.weight", new long[] {f, h});
            m.put(p + "mlp.down_proj.weight", new long[] {h, f});
            if (mlpBias) {
                m.put(p + "mlp.gate_proj.bias", new long[] {f});
                m.put(p + "mlp.up_proj.bias", new long[] {f});
                m.put(p + "mlp.down_proj.bias", new long[] {h});
            }
        }
        m.put("model.norm.weight", new long[] {h});
        boolean tied = c.hasTieWordEmbeddings() ? c.tieWordEmbeddings() : type.equals("llama");
        if (type.equals("qwen2_moe")) tied = false; // its model class always has lm_head
        if (!tied) m.put("lm_head.weight", new long[] {vocab, h});
        return Optional.of(m);
    }
}
