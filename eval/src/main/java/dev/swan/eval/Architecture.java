package dev.swan.eval;

import dev.swan.api.ModelFormatException;
import dev.swan.api.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The hyper-parameters of a dense decoder the forward pass runs: llama (Llama 2/3, Mistral), qwen2 (q/k/v
 * biases) and qwen3 (per-head q/k RMSNorm before RoPE). Anything else is refused here, before a weight is
 * read, naming the config key.
 *
 * @param family          llama, qwen2 or qwen3
 * @param hidden          model width
 * @param layers          decoder layers
 * @param heads           attention heads
 * @param kvHeads         key/value heads (grouped-query attention when fewer than heads)
 * @param headDim         width of one head
 * @param intermediate    MLP width
 * @param vocab           vocabulary (embedding rows)
 * @param rmsEps          RMSNorm epsilon
 * @param ropeTheta       RoPE base
 * @param ropeScaling     the config's rope_scaling object, if any
 * @param maxPositions    the longest context the model was made for (0 when unknown)
 * @param slidingWindow   attention window (0 for full attention)
 * @param moe             the mixture-of-experts block of qwen3_moe, qwen2_moe and mixtral (null for dense)
 */
public record Architecture(String family, int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
                           int vocab, double rmsEps, double ropeTheta, Optional<Map<String, Object>> ropeScaling,
                           int maxPositions, int slidingWindow, Moe moe) {

    /**
     * Routing of a mixture-of-experts layer: softmax over the router's logits, the top {@code perToken}
     * experts, their probabilities renormalised to sum 1 when {@code normTopK} (Mixtral always; Qwen by
     * {@code norm_topk_prob}); qwen2_moe adds a shared expert scaled by sigmoid(shared_expert_gate · x).
     *
     * @param block       {@code mlp} (Qwen) or {@code block_sparse_moe} (Mixtral)
     * @param denseLayers layers with a plain MLP instead (qwen3_moe's mlp_only_layers and decoder_sparse_step)
     */
    public record Moe(String block, int experts, int perToken, int expertIntermediate, int sharedIntermediate,
                      boolean normTopK, java.util.Set<Integer> denseLayers) {
        public Moe {
            denseLayers = java.util.Set.copyOf(denseLayers);
        }
    }

    static final String SUPPORTED = "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, "
            + "Qwen3MoeForCausalLM, Qwen2MoeForCausalLM, MixtralForCausalLM";

    public static Architecture of(ModelConfig c) {
        Path f = c.file();
        String family = family(c).orElseThrow(() -> new ModelFormatException(f, "architectures", "'" + c.architecture()
                + "' (model_type '" + c.modelType() + "') is not supported by swan eval (supported: " + SUPPORTED + ")"));
        int hidden = positive(c, "hidden_size");
        int layers = positive(c, "num_hidden_layers");
        int heads = positive(c, "num_attention_heads");
        int kvHeads = c.numKvHeads().orElse(heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new ModelFormatException(f, "num_key_value_heads", kvHeads + " does not divide the " + heads + " attention heads");
        }
        int headDim = c.hasExplicitHeadDim() ? positive(c, "head_dim") : hidden / heads;
        if (!c.hasExplicitHeadDim() && hidden % heads != 0) {
            throw new ModelFormatException(f, "num_attention_heads", heads + " heads do not divide hidden_size " + hidden);
        }
        if (headDim % 2 != 0) throw new ModelFormatException(f, "head_dim", headDim + " is odd: RoPE rotates pairs");
        if (c.optInt("rope_dimension_count").isPresent() && c.optInt("rope_dimension_count").getAsInt() != headDim) {
            throw new ModelFormatException(f, "rope.dimension_count", "partial rotary embeddings ("
                    + c.optInt("rope_dimension_count").getAsInt() + " of " + headDim + ") are not supported");
        }
        Object act = c.get("hidden_act");
        if (act != null && !"silu".equals(act)) {
            throw new ModelFormatException(f, "hidden_act", "'" + act + "' is not supported (silu only)");
        }
        Optional<Map<String, Object>> scaling = c.ropeScaling().filter(m -> !m.isEmpty());
        if (scaling.isPresent()) Rope.checkScaling(scaling.get(), f);
        double theta = c.ropeTheta().orElse(10000.0);
        if (!(theta > 0) || Double.isInfinite(theta)) throw new ModelFormatException(f, "rope_theta", theta + " is not a positive number");
        double eps = c.rmsNormEps().orElse(1e-6);
        if (!(eps > 0) || eps > 1) throw new ModelFormatException(f, "rms_norm_eps", eps + " is not a small positive number");
        int window = 0;
        if (c.get("sliding_window") instanceof Long w && !Boolean.FALSE.equals(c.get("use_sliding_window"))
                && !family.equals("qwen3")) {
            window = w.intValue();
        }
        return new Architecture(family, hidden, layers, heads, kvHeads, headDim, positive(c, "intermediate_size"),
                c.vocabSize().orElse(0), eps, theta, scaling, c.maxPositionEmbeddings().orElse(0), window, moe(c, layers));
    }

    private static Moe moe(ModelConfig c, int layers) {
        String t = moeType(c);
        if (t == null) return null;
        Path f = c.file();
        int experts = c.numExperts();
        if (experts <= 0) throw new ModelFormatException(f, "num_experts", "missing or not positive (a " + t + " model needs it)");
        int k = c.expertsPerToken().orElseThrow(() -> new ModelFormatException(f, "num_experts_per_tok", "missing"));
        if (k < 1 || k > experts) throw new ModelFormatException(f, "num_experts_per_tok", k + " is not between 1 and " + experts);
        if (t.equals("mixtral")) {
            return new Moe("block_sparse_moe", experts, k, positive(c, "intermediate_size"), 0, true, java.util.Set.of());
        }
        int shared = t.equals("qwen2_moe") ? positive(c, "shared_expert_intermediate_size") : 0;
        java.util.Set<Integer> dense = new java.util.TreeSet<>();
        if (c.get("mlp_only_layers") instanceof java.util.List<?> only) {
            for (Object o : only) if (o instanceof Number n) dense.add(n.intValue());
        }
        int step = c.optInt("decoder_sparse_step").orElse(1);
        if (step < 1) throw new ModelFormatException(f, "decoder_sparse_step", step + " is not positive");
        for (int l = 0; l < layers; l++) if ((l + 1) % step != 0) dense.add(l);
        return new Moe("mlp", experts, k, positive(c, "moe_intermediate_size"), shared,
                Boolean.TRUE.equals(c.get("norm_topk_prob")), dense);
    }

    /** qwen3_moe, qwen2_moe, mixtral, or null for a dense model. */
    private static String moeType(ModelConfig c) {
        switch (c.architecture()) {
            case "Qwen3MoeForCausalLM": return "qwen3_moe";
            case "Qwen2MoeForCausalLM": return "qwen2_moe";
            case "MixtralForCausalLM": return "mixtral";
            case "": break;
            default: return null;
        }
        return switch (c.modelType()) {
            case "qwen3_moe", "qwen2_moe", "mixtral" -> c.modelType();
            default -> null;
        };
    }

    private static Optional<String> family(ModelConfig c) {
        switch (c.architecture()) {
            case "LlamaForCausalLM": case "MistralForCausalLM": return Optional.of("llama");
            case "Qwen2ForCausalLM": return Optional.of("qwen2");
            case "Qwen3ForCausalLM": case "Qwen3MoeForCausalLM": return Optional.of("qwen3");
            case "Qwen2MoeForCausalLM": return Optional.of("qwen2");
            case "MixtralForCausalLM": return Optional.of("llama");
            case "": break;
            default: return Optional.empty();
        }
        switch (c.modelType()) {
            case "llama": case "mistral": case "mixtral": return Optional.of("llama");
            case "qwen2": case "qwen2_moe": return Optional.of("qwen2");
            case "qwen3": case "qwen3_moe": return Optional.of("qwen3");
            default: return Optional.empty();
        }
    }

    private static int positive(ModelConfig c, String key) {
        int v = c.requireInt(key);
        if (v <= 0 || v > 1 << 24) throw new ModelFormatException(c.file(), key, v + " is out of range");
        return v;
    }

    /** Query width: heads × head width. */
    public int qDim() {
        return heads * headDim;
    }

    /** Key/value width. */
    public int kvDim() {
        return kvHeads * headDim;
    }
}
