package dev.swan.toolkit.model;

import dev.swan.api.model.TensorClass;
import dev.swan.api.model.TensorRole;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TensorClassifierTest {

    private static TensorRole role(String name, int rank) {
        return TensorClassifier.classify(name, rank).role();
    }

    @Test
    void llamaAndQwenNames() {
        assertEquals(TensorRole.EMBEDDING, role("model.embed_tokens.weight", 2));
        assertEquals(TensorRole.LM_HEAD, role("lm_head.weight", 2));
        assertEquals(TensorRole.NORM, role("model.norm.weight", 1));
        assertEquals(TensorRole.NORM, role("model.layers.3.input_layernorm.weight", 1));
        assertEquals(TensorRole.NORM, role("model.layers.3.self_attn.q_norm.weight", 1));
        assertEquals(TensorRole.ATTN_Q, role("model.layers.3.self_attn.q_proj.weight", 2));
        assertEquals(TensorRole.ATTN_K, role("model.layers.3.self_attn.k_proj.weight", 2));
        assertEquals(TensorRole.ATTN_V, role("model.layers.3.self_attn.v_proj.weight", 2));
        assertEquals(TensorRole.ATTN_O, role("model.layers.3.self_attn.o_proj.weight", 2));
        assertEquals(TensorRole.MLP_GATE, role("model.layers.3.mlp.gate_proj.weight", 2));
        assertEquals(TensorRole.MLP_UP, role("model.layers.3.mlp.up_proj.weight", 2));
        assertEquals(TensorRole.MLP_DOWN, role("model.layers.3.mlp.down_proj.weight", 2));
        assertEquals(TensorRole.BIAS, role("model.layers.3.self_attn.q_proj.bias", 1));
        assertEquals(TensorRole.OTHER, role("model.layers.0.self_attn.rotary_emb.inv_freq", 1));
        assertEquals(3, TensorClassifier.classify("model.layers.3.mlp.up_proj.weight", 2).layer());
        assertEquals(-1, TensorClassifier.classify("lm_head.weight", 2).layer());
    }

    @Test
    void moeNames() {
        assertEquals(TensorRole.ROUTER, role("model.layers.1.mlp.gate.weight", 2));
        assertEquals(TensorRole.ROUTER, role("model.layers.1.mlp.shared_expert_gate.weight", 2));
        assertEquals(TensorRole.ROUTER, role("model.layers.1.block_sparse_moe.router.weight", 2));
        TensorClass e = TensorClassifier.classify("model.layers.1.mlp.experts.17.down_proj.weight", 2);
        assertEquals(TensorRole.MLP_DOWN, e.role());
        assertEquals(17, e.expert());
        assertEquals(TensorRole.EXPERT_STACK, role("model.layers.1.mlp.experts.gate_up_proj", 3));
        assertEquals(TensorRole.MLP_GATE, role("model.layers.1.mlp.shared_expert.gate_proj.weight", 2));
        assertEquals(TensorRole.VISION, role("model.vision_tower.blocks.0.attn.qkv.weight", 2));
    }
}
