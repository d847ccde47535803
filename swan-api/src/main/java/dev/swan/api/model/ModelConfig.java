package dev.swan.api.model;

import dev.swan.api.ModelFormatException;
import dev.swan.api.tensor.DType;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code config.json}, with typed access to the keys swan uses. For multimodal configs the
 * language-model keys are also looked up in {@code text_config}. Missing optional keys give empty
 * results; {@link #requireInt} names the missing key in its error.
 */
public final class ModelConfig {
    private final Path file;
    private final Map<String, Object> raw;

    public ModelConfig(Path file, Map<String, Object> raw) {
        this.file = file;
        this.raw = Collections.unmodifiableMap(raw);
    }

    /** The parsed JSON object, in file order. */
    public Map<String, Object> raw() {
        return raw;
    }

    public Path file() {
        return file;
    }

    /** First entry of {@code architectures}, e.g. {@code LlamaForCausalLM}; empty when absent. */
    public String architecture() {
        Object a = raw.get("architectures");
        if (a instanceof List && !((List<?>) a).isEmpty() && ((List<?>) a).get(0) instanceof String) {
            return (String) ((List<?>) a).get(0);
        }
        return "";
    }

    public String modelType() {
        Object t = get("model_type");
        return t instanceof String ? (String) t : "";
    }

    public OptionalInt hiddenSize() {
        return optInt("hidden_size");
    }

    public OptionalInt intermediateSize() {
        return optInt("intermediate_size");
    }

    public OptionalInt numLayers() {
        return optInt("num_hidden_layers");
    }

    public OptionalInt numHeads() {
        return optInt("num_attention_heads");
    }

    /** {@code num_key_value_heads}, defaulting to the attention head count. */
    public OptionalInt numKvHeads() {
        OptionalInt kv = optInt("num_key_value_heads");
        return kv.isPresent() ? kv : numHeads();
    }

    /** {@code head_dim} if given, else hidden size / heads. */
    public OptionalInt headDim() {
        OptionalInt hd = optInt("head_dim");
        if (hd.isPresent()) return hd;
        if (hiddenSize().isPresent() && numHeads().isPresent() && numHeads().getAsInt() > 0) {
            return OptionalInt.of(hiddenSize().getAsInt() / numHeads().getAsInt());
        }
        return OptionalInt.empty();
    }

    public boolean hasExplicitHeadDim() {
        return optInt("head_dim").isPresent();
    }

    public OptionalInt vocabSize() {
        return optInt("vocab_size");
    }

    public OptionalInt maxPositionEmbeddings() {
        return optInt("max_position_embeddings");
    }

    public OptionalDouble rmsNormEps() {
        return optDouble("rms_norm_eps");
    }

    /** RoPE base from {@code rope_parameters}, {@code rope_scaling} or the top level. */
    public OptionalDouble ropeTheta() {
        for (String k : new String[] {"rope_parameters", "rope_scaling"}) {
            Object o = get(k);
            if (o instanceof Map && ((Map<?, ?>) o).get("rope_theta") instanceof Number) {
                return OptionalDouble.of(((Number) ((Map<?, ?>) o).get("rope_theta")).doubleValue());
            }
        }
        return optDouble("rope_theta");
    }

    /** The RoPE scaling object ({@code rope_parameters} or {@code rope_scaling}), if any. */
    public Optional<Map<String, Object>> ropeScaling() {
        for (String k : new String[] {"rope_parameters", "rope_scaling"}) {
            Object o = get(k);
            if (o instanceof Map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** {@code tie_word_embeddings}; absent means false except for llama, whose default is true. */
    public boolean tieWordEmbeddings() {
        Object t = get("tie_word_embeddings");
        if (t instanceof Boolean) return (Boolean) t;
        return false;
    }

    public boolean hasTieWordEmbeddings() {
        return get("tie_word_embeddings") instanceof Boolean;
    }

    /** {@code torch_dtype} (or the transformers v5 {@code dtype}) as a safetensors dtype. */
    public Optional<DType> torchDtype() {
        Object t = get("torch_dtype");
        if (!(t instanceof String)) t = get("dtype");
        return t instanceof String ? DType.fromTorch((String) t) : Optional.empty();
    }

    /** Number of experts for MoE configs ({@code num_experts}, {@code num_local_experts}), else 0. */
    public int numExperts() {
        for (String k : new String[] {"num_experts", "num_local_experts", "n_routed_experts"}) {
            OptionalInt v = optInt(k);
            if (v.isPresent()) return v.getAsInt();
        }
        return 0;
    }

    /**
     * Of an amount (parameters or bytes) of which {@code inExperts} lies in mixture-of-experts experts, what
     * one token uses: everything outside the experts plus k/E of theirs; all of it for a dense config.
     */
    public long perToken(long total, long inExperts) {
        int e = numExperts();
        return e <= 0 ? total : perToken(total, inExperts, e, expertsPerToken().orElse(e));
    }

    /** As above for {@code experts} per layer and {@code perToken} of them per token (at most all). */
    public static long perToken(long total, long inExperts, int experts, int perToken) {
        return total - inExperts + inExperts * Math.min(perToken, experts) / experts;
    }

    /** Experts each token is routed to in MoE configs ({@code num_experts_per_tok} and its spellings), if given. */
    public OptionalInt expertsPerToken() {
        for (String k : new String[] {"num_experts_per_tok", "num_experts_per_token", "moe_top_k"}) {
            if (get(k) != null) return optInt(k).isPresent() ? optInt(k) : OptionalInt.of(0);
        }
        return OptionalInt.empty();
    }

    /** Raw value of a key, looked up at the top level, then in {@code text_config}. */
    public Object get(String key) {
        if (raw.containsKey(key)) return raw.get(key);
        Object tc = raw.get("text_config");
        if (tc instanceof Map) return ((Map<?, ?>) tc).get(key);
        return null;
    }

    /** An integer key (parsed as Long by our JSON reader, as Integer by Jackson when read from a manifest). */
    public OptionalInt optInt(String key) {
        Object v = get(key);
        if ((v instanceof Long || v instanceof Integer || v instanceof Short) && ((Number) v).longValue() <= Integer.MAX_VALUE
                && ((Number) v).longValue() >= Integer.MIN_VALUE) {
            return OptionalInt.of(((Number) v).intValue());
        }
        return OptionalInt.empty();
    }

    public OptionalDouble optDouble(String key) {
        Object v = get(key);
        return v instanceof Number ? OptionalDouble.of(((Number) v).doubleValue()) : OptionalDouble.empty();
    }

    /** An integer key that must be present; the error names the key and the file. */
    public int requireInt(String key) {
        return optInt(key).orElseThrow(() -> new ModelFormatException(file, key,
                "missing or not an integer (this architecture needs it)"));
    }

    public double requireDouble(String key) {
        return optDouble(key).orElseThrow(() -> new ModelFormatException(file, key,
                "missing or not a number (this architecture needs it)"));
    }
}
