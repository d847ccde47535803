package dev.swan.format.gguf;

import dev.swan.api.model.ModelConfig;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The llama.cpp architectures swan writes, and the Hugging Face → GGUF tensor names (llama.cpp's convert_hf_to_gguf.py).
 * Llama (and HF Mistral) rotate q/k rows for llama.cpp's adjacent-pair RoPE; Qwen does not.
 */
enum GgufArch {
    LLAMA("llama", true), QWEN2("qwen2", false), QWEN3("qwen3", false);

    private static final Pattern LAYER = Pattern.compile("^model\\.layers\\.(\\d+)\\.(.+)$");

    final String name;
    final boolean permuteQk;

    GgufArch(String name, boolean permuteQk) {
        this.name = name;
        this.permuteQk = permuteQk;
    }

    static Optional<GgufArch> of(ModelConfig c) {
        switch (c.architecture()) {
            case "LlamaForCausalLM": case "MistralForCausalLM": return Optional.of(LLAMA);
            case "Qwen2ForCausalLM": return Optional.of(QWEN2);
            case "Qwen3ForCausalLM": return Optional.of(QWEN3);
            default: break;
        }
        switch (c.modelType()) {
            case "llama": case "mistral": return Optional.of(LLAMA);
            case "qwen2": return Optional.of(QWEN2);
            case "qwen3": return Optional.of(QWEN3);
            default: return Optional.empty();
        }
    }

    /**
     * Tensors the file does not carry: rotary caches and attention masks (as convert drops them), and the
     * output head of a tied model, which llama.cpp reads from token_embd (transformers ties the two on load,
     * so a stored copy adds bytes, not information).
     */
    static boolean dropped(String hf, ModelConfig c) {
        return hf.endsWith(".rotary_emb.inv_freq") || hf.endsWith(".attention.masked_bias") || hf.endsWith(".attention.bias")
                || (c.tieWordEmbeddings() && hf.equals("lm_head.weight"));
    }

    /** The GGUF name of a Hugging Face tensor, or empty when llama.cpp has no place for it. */
    Optional<String> map(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight": return Optional.of("token_embd.weight");
            case "model.norm.weight": return Optional.of("output_norm.weight");
            case "lm_head.weight": return Optional.of("output.weight");
            default: break;
        }
        Matcher m = LAYER.matcher(hf);
        if (!m.matches()) return Optional.empty();
        String blk = "blk." + m.group(1) + ".";
        String rest = m.group(2);
        switch (rest) {
            case "input_layernorm.weight": return Optional.of(blk + "attn_norm.weight");
            case "post_attention_layernorm.weight": return Optional.of(blk + "ffn_norm.weight");
            case "self_attn.q_proj.weight": return Optional.of(blk + "attn_q.weight");
            case "self_attn.k_proj.weight": return Optional.of(blk + "attn_k.weight");
            case "self_attn.v_proj.weight": return Optional.of(blk + "attn_v.weight");
            case "self_attn.o_proj.weight": return Optional.of(blk + "attn_output.weight");
            case "self_attn.q_proj.bias": return Optional.of(blk + "attn_q.bias");
            case "self_attn.k_proj.bias": return Optional.of(blk + "attn_k.bias");
            case "self_attn.v_proj.bias": return Optional.of(blk + "attn_v.bias");
            case "mlp.gate_proj.weight": return Optional.of(blk + "ffn_gate.weight");
            case "mlp.up_proj.weight": return Optional.of(blk + "ffn_up.weight");
            case "mlp.down_proj.weight": return Optional.of(blk + "ffn_down.weight");
            default: break;
        }
        if (this == QWEN3) {
            if (rest.equals("self_attn.q_norm.weight")) return Optional.of(blk + "attn_q_norm.weight");
            if (rest.equals("self_attn.k_norm.weight")) return Optional.of(blk + "attn_k_norm.weight");
        }
        return Optional.empty();
    }

    private static final Pattern GGUF_LAYER = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");

    /** The Hugging Face name of a GGUF tensor (any of these architectures), or empty when it has none. */
    static Optional<String> hfName(String gguf) {
        switch (gguf) {
            case "token_embd.weight": return Optional.of("model.embed_tokens.weight");
            case "output_norm.weight": return Optional.of("model.norm.weight");
            case "output.weight": return Optional.of("lm_head.weight");
            default: break;
        }
        Matcher m = GGUF_LAYER.matcher(gguf);
        if (!m.matches()) return Optional.empty();
        String layer = "model.layers." + m.group(1) + ".";
        String rest = switch (m.group(2)) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "ffn_norm.weight" -> "post_attention_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "attn_q.bias" -> "self_attn.q_proj.bias";
            case "attn_k.bias" -> "self_attn.k_proj.bias";
            case "attn_v.bias" -> "self_attn.v_proj.bias";
            case "attn_q_norm.weight" -> "self_attn.q_norm.weight";
            case "attn_k_norm.weight" -> "self_attn.k_norm.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            default -> null;
        };
        return Optional.ofNullable(rest).map(r -> layer + r);
    }

    /**
     * Heads for the q/k row permutation of this tensor (n_head for q, n_head_kv for k), or 0 when its rows
     * stay in place.
     */
    int permuteHeads(String hf, ModelConfig c) {
        if (!permuteQk) return 0;
        if (hf.endsWith("self_attn.q_proj.weight") || hf.endsWith("self_attn.q_proj.bias")) return c.numHeads().orElse(0);
        if (hf.endsWith("self_attn.k_proj.weight") || hf.endsWith("self_attn.k_proj.bias")) return c.numKvHeads().orElse(0);
        return 0;
    }

    /** Source row of output row {@code r} under the permutation: rows of a head go from halves to interleaved pairs. */
    static long sourceRow(long r, long rows, int heads) {
        long hd = rows / heads;
        long h = r / hd;
        long w = r % hd;
        long i = w / 2;
        long j = w % 2;
        return h * hd + j * (hd / 2) + i;
    }
}
