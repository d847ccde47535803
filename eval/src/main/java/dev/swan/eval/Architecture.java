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
 */
public record Architecture(String family, int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
                           int vocab, double rmsEps, double ropeTheta, Optional<Map<String, Object>> ropeScaling,
                           int maxPositions, int slidingWindow) {

    static final String SUPPORTED = "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM";

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
                c.vocabSize().orElse(0), eps, theta, scaling, c.maxPositionEmbeddings().orElse(0), window);
    }

    private static Optional<String> family(ModelConfig c) {
        switch (c.architecture()) {
            case "LlamaForCausalLM": case "MistralForCausalLM": return Optional.of("llama");
            case "Qwen2ForCausalLM": return Optional.of("qwen2");
            case "Qwen3ForCausalLM": return Optional.of("qwen3");
            case "": break;
            default: return Optional.empty();
        }
        switch (c.modelType()) {
            case "llama": case "mistral": return Optional.of("llama");
            case "qwen2": return Optional.of("qwen2");
            case "qwen3": return Optional.of("qwen3");
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
