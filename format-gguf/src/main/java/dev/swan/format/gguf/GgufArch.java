package dev.swan.format.gguf;

import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelConfig;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The llama.cpp architectures swan writes, and the Hugging Face → GGUF tensor names (llama.cpp's convert_hf_to_gguf.py).
 * Llama (and HF Mistral and Mixtral) rotate q/k rows for llama.cpp's adjacent-pair RoPE; Qwen does not.
 * Mixture-of-experts weights: every expert's slice of one projection goes into one 3-D
 * {@code ffn_{gate,up,down}_exps} tensor (ne = [in, out, experts], expert-major), the router is
 * {@code ffn_gate_inp}, qwen2moe's shared expert {@code ffn_*_shexp} with its gate {@code ffn_gate_inp_shexp}.
 */
enum GgufArch {
    LLAMA("llama", true), QWEN2("qwen2", false), QWEN3("qwen3", false), QWEN2MOE("qwen2moe", false),
    QWEN3MOE("qwen3moe", false);

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
            case "MixtralForCausalLM": return Optional.of(LLAMA);
            case "Qwen2MoeForCausalLM": return Optional.of(QWEN2MOE);
            case "Qwen3MoeForCausalLM": return Optional.of(QWEN3MOE);
            default: break;
        }
        switch (c.modelType()) {
            case "llama": case "mistral": case "mixtral": return Optional.of(LLAMA);
            case "qwen2": return Optional.of(QWEN2);
            case "qwen3": return Optional.of(QWEN3);
            case "qwen2_moe": return Optional.of(QWEN2MOE);
            case "qwen3_moe": return Optional.of(QWEN3MOE);
            default: return Optional.empty();
        }
    }

    /** Qwen's byte-level tokenizer family (the 'qwen2' pre-tokenizer). */
    boolean qwen() {
        return this != LLAMA;
    }

    /** Per-head q/k RMSNorm weights (qwen3, qwen3moe). */
    boolean qkNorm() {
        return this == QWEN3 || this == QWEN3MOE;
    }

    /**
     * Tensors stored in F32 whatever the plan says, as llama.cpp's converter stores them and llama-quantize
     * leaves them: vectors, norms, MoE routers.
     */
    static boolean keptF32(String gguf, int rank) {
        return rank <= 1 || gguf.endsWith("_norm.weight") || gguf.endsWith("ffn_gate_inp.weight")
                || gguf.endsWith("ffn_gate_inp_shexp.weight");
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
        if (qkNorm()) {
            if (rest.equals("self_attn.q_norm.weight")) return Optional.of(blk + "attn_q_norm.weight");
            if (rest.equals("self_attn.k_norm.weight")) return Optional.of(blk + "attn_k_norm.weight");
        }
        switch (rest) {
            case "mlp.gate.weight": case "block_sparse_moe.gate.weight": return Optional.of(blk + "ffn_gate_inp.weight");
            case "mlp.shared_expert.gate_proj.weight": return Optional.of(blk + "ffn_gate_shexp.weight");
            case "mlp.shared_expert.up_proj.weight": return Optional.of(blk + "ffn_up_shexp.weight");
            case "mlp.shared_expert.down_proj.weight": return Optional.of(blk + "ffn_down_shexp.weight");
            case "mlp.shared_expert_gate.weight": return Optional.of(blk + "ffn_gate_inp_shexp.weight");
            default: break;
        }
        return ExpertWeight.parse(hf).map(x -> blk + "ffn_" + x.kind() + "_exps.weight");
    }

    private static final Pattern GGUF_LAYER = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");

    /**
     * The Hugging Face name of a GGUF tensor (any of these architectures), or empty when it has none; an
     * expert stack gets the stacked checkpoint name ({@code mlp.experts.gate_proj.weight}, Mixtral's
     * {@code block_sparse_moe.experts.w1.weight} when {@code mixtral}).
     */
    static Optional<String> hfName(String gguf, boolean mixtral) {
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
            case "ffn_gate_inp.weight" -> mixtral ? "block_sparse_moe.gate.weight" : "mlp.gate.weight";
            case "ffn_gate_shexp.weight" -> "mlp.shared_expert.gate_proj.weight";
            case "ffn_up_shexp.weight" -> "mlp.shared_expert.up_proj.weight";
            case "ffn_down_shexp.weight" -> "mlp.shared_expert.down_proj.weight";
            case "ffn_gate_inp_shexp.weight" -> "mlp.shared_expert_gate.weight";
            case "ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight" -> {
                String block = mixtral ? "block_sparse_moe" : "mlp";
                String kind = m.group(2).substring(4, m.group(2).indexOf("_exps"));
                yield block + ".experts." + ExpertWeight.spelling(block, kind) + ".weight";
            }
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
