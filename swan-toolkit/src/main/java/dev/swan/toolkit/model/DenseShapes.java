package dev.swan.toolkit.model;

import dev.swan.api.model.ModelDir;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.TensorClass;
import dev.swan.api.ModelFormatException;
import dev.swan.api.tensor.TensorInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What writers check before writing a decoder-only transformer (llama, mistral, qwen2, qwen3, and the
 * mixtures of experts qwen3_moe, qwen2_moe, mixtral): the
 * config's hyper-parameters are positive, finite and divide as attention needs, and every layer's
 * projections have the shapes they imply, as the runtimes that load the output will check. A refusal
 * names the config key or the tensor.
 */
public final class DenseShapes {
    private DenseShapes() {
    }

    /** The model types whose layout this knows. */
    private static final java.util.Set<String> TYPES = java.util.Set.of("llama", "mistral", "qwen2", "qwen3");

    /**
     * Refuses integer or other non-float weights (a quantized checkpoint, say): writers quantize and copy
     * floats only. Matrices and the model's vectors (norms, biases: names ending in .weight or .bias) alike.
     */
    public static void requireFloatWeights(ModelDir model) {
        for (TensorInfo t : model.tensors()) {
            boolean weight = t.shape().length >= 2 || t.name().endsWith(".weight") || t.name().endsWith(".bias");
            if (weight && !t.dtype().isFloat()) {
                throw new dev.swan.api.OutputException(null, model.path() + ": " + t.name() + " is " + t.dtype()
                        + ", not a float type: weights must be F32, F16 or BF16 (is this a quantized checkpoint?)");
            }
        }
    }

    /** Mixture-of-experts model types whose expert layout this knows. */
    private static final java.util.Set<String> MOE_TYPES = java.util.Set.of("qwen3_moe", "qwen2_moe", "mixtral");

    /** Refuses a model whose config and weights disagree; other model types pass unchecked. */
    public static void check(ModelDir model) {
        ModelConfig c = model.config();
        boolean moe = MOE_TYPES.contains(c.modelType());
        if (moe) checkExperts(model);
        else if (!TYPES.contains(c.modelType())) return;
        int hidden = positive(c, "hidden_size");
        int heads = positive(c, "num_attention_heads");
        int layers = positive(c, "num_hidden_layers");
        int kv = c.get("num_key_value_heads") == null ? heads : positive(c, "num_key_value_heads");
        if (heads % kv != 0) {
            throw new ModelFormatException(c.file(), "num_key_value_heads", kv + " does not divide num_attention_heads "
                    + heads + " (grouped-query attention shares each key/value head among a whole number of heads)");
        }
        int headDim;
        if (c.hasExplicitHeadDim()) {
            headDim = positive(c, "head_dim");
        } else {
            if (hidden % heads != 0) {
                throw new ModelFormatException(c.file(), "num_attention_heads", heads + " does not divide hidden_size "
                        + hidden + " (and there is no head_dim)");
            }
            headDim = hidden / heads;
        }
        finitePositive(c, "rms_norm_eps", c.rmsNormEps());
        finitePositive(c, "rope_theta", c.ropeTheta());
        int vocab = positive(c, "vocab_size");
        for (TensorInfo t : model.tensors()) {
            TensorClass k = model.classOf(t);
            if (k.layer() >= layers) {
                throw new ModelFormatException(model.path(), t.name(), "belongs to layer " + k.layer() + " but num_hidden_layers is "
                        + layers + ": config.json and the weights disagree");
            }
        }
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            if (!moe || model.find(p + "mlp.gate_proj.weight").isPresent()) { // qwen3_moe may keep some layers dense
                int ffn = positive(c, "intermediate_size");
                expect(model, p + "mlp.gate_proj.weight", ffn, hidden);
                expect(model, p + "mlp.up_proj.weight", ffn, hidden);
                expect(model, p + "mlp.down_proj.weight", hidden, ffn);
            }
            expectVector(model, p + "input_layernorm.weight", hidden);
            expectVector(model, p + "post_attention_layernorm.weight", hidden);
            expect(model, p + "self_attn.q_proj.weight", (long) heads * headDim, hidden);
            expect(model, p + "self_attn.k_proj.weight", (long) kv * headDim, hidden);
            expect(model, p + "self_attn.v_proj.weight", (long) kv * headDim, hidden);
            expect(model, p + "self_attn.o_proj.weight", hidden, (long) heads * headDim);
            // what the runtimes build from the config must be in the weights: qwen3's per-head q/k norms, and
            // the q/k/v biases of qwen2 and of attention_bias: true
            if (c.modelType().startsWith("qwen3")) {
                expectVector(model, p + "self_attn.q_norm.weight", headDim);
                expectVector(model, p + "self_attn.k_norm.weight", headDim);
            }
            if (c.modelType().startsWith("qwen2") || Boolean.TRUE.equals(c.get("attention_bias"))) {
                expectVector(model, p + "self_attn.q_proj.bias", (long) heads * headDim);
                expectVector(model, p + "self_attn.k_proj.bias", (long) kv * headDim);
                expectVector(model, p + "self_attn.v_proj.bias", (long) kv * headDim);
            }
            if (!c.modelType().startsWith("qwen2") && Boolean.TRUE.equals(c.get("attention_bias"))) {
                expectVector(model, p + "self_attn.o_proj.bias", hidden); // llama's attention_bias covers o_proj too
            }
        }
        Optional<TensorInfo> embed = model.find("model.embed_tokens.weight");
        if (embed.isPresent() && embed.get().shape().length == 2 && embed.get().shape()[0] != vocab) {
            throw new ModelFormatException(c.file(), "vocab_size", "vocab_size " + vocab + " disagrees with "
                    + "model.embed_tokens.weight's " + embed.get().shape()[0] + " rows");
        }
        expect(model, "model.embed_tokens.weight", vocab, hidden);
        if (model.find("lm_head.weight").isPresent()) expect(model, "lm_head.weight", vocab, hidden);
        expectVector(model, "model.norm.weight", hidden);
    }

    /**
     * A mixture-of-experts checkpoint: every MoE layer holds experts 0..E-1 (a missing one usually means a
     * shard left out of the index), each projection has one shape across experts and layers, the router has
     * one row per expert, and a token uses between 1 and E experts.
     */
    static void checkExperts(ModelDir model) {
        ModelConfig c = model.config();
        int experts = c.numExperts();
        if (experts <= 0) {
            throw new ModelFormatException(c.file(), "num_experts", "missing or not a positive integer (a " + c.modelType()
                    + " model needs its expert count)");
        }
        java.util.OptionalInt perToken = c.expertsPerToken();
        if (perToken.isPresent() && (perToken.getAsInt() < 1 || perToken.getAsInt() > experts)) {
            throw new ModelFormatException(c.file(), "num_experts_per_tok", c.get("num_experts_per_tok") + " must be an "
                    + "integer between 1 and num_experts " + experts);
        }
        java.util.Map<Integer, java.util.Set<Integer>> byLayer = new java.util.TreeMap<>();
        java.util.Map<String, long[]> shapes = new java.util.HashMap<>();
        java.util.Map<String, String> firstOf = new java.util.HashMap<>();
        java.util.regex.Pattern slice = java.util.regex.Pattern.compile("^model\\.layers\\.(\\d+)\\.(.*\\.experts)\\.(\\d+)\\.(.+)$");
        int hidden = positive(c, "hidden_size");
        int expertWidth = c.modelType().equals("mixtral") ? positive(c, "intermediate_size") : positive(c, "moe_intermediate_size");
        String widthKey = c.modelType().equals("mixtral") ? "intermediate_size" : "moe_intermediate_size";
        for (TensorInfo t : model.tensors()) {
            java.util.regex.Matcher m = slice.matcher(t.name());
            if (!m.matches() || m.group(1).length() > 9 || m.group(3).length() > 9) continue;
            int expert = Integer.parseInt(m.group(3));
            if (expert >= experts) {
                throw new ModelFormatException(model.path(), t.name(), "expert " + expert + " but num_experts is " + experts);
            }
            byLayer.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new java.util.TreeSet<>()).add(expert);
            String projection = m.group(2) + ".*." + m.group(4);
            long[] seen = shapes.putIfAbsent(projection, t.shape());
            firstOf.putIfAbsent(projection, t.name());
            if (seen != null && !Arrays.equals(seen, t.shape())) {
                throw new ModelFormatException(model.path(), t.name(), "shape " + Arrays.toString(t.shape()) + " but "
                        + firstOf.get(projection) + " is " + Arrays.toString(seen) + ": experts of one projection must share a shape");
            }
        }
        for (java.util.Map.Entry<Integer, java.util.Set<Integer>> e : byLayer.entrySet()) {
            if (e.getValue().size() != experts) {
                List<Integer> missing = new java.util.ArrayList<>();
                for (int x = 0; x < experts && missing.size() < 5; x++) if (!e.getValue().contains(x)) missing.add(x);
                throw new ModelFormatException(model.path(), "model.layers." + e.getKey(), "holds " + e.getValue().size() + " of "
                        + experts + " experts (missing " + missing + (experts - e.getValue().size() > 5 ? " and more" : "")
                        + "): is a shard missing from the index?");
            }
            String p = "model.layers." + e.getKey() + ".";
            for (String router : new String[] {p + "mlp.gate.weight", p + "block_sparse_moe.gate.weight"}) {
                Optional<TensorInfo> r = model.find(router);
                if (r.isPresent() && (r.get().shape().length != 2 || r.get().shape()[0] != experts || r.get().shape()[1] != hidden)) {
                    throw new ModelFormatException(model.path(), router, "shape " + Arrays.toString(r.get().shape())
                            + ": a router has one row per expert of hidden_size columns, and num_experts is " + experts
                            + ", hidden_size " + hidden);
                }
            }
        }
        for (TensorInfo t : model.tensors()) { // every expert against the config, once they agree among themselves
            Optional<ExpertWeight> x = ExpertWeight.parse(t.name());
            if (x.isPresent()) {
                boolean down = x.get().kind().equals("down");
                long[] want = down ? new long[] {hidden, expertWidth} : new long[] {expertWidth, hidden};
                if (x.get().isStack()) want = new long[] {experts, want[0], want[1]};
                if (!Arrays.equals(want, t.shape())) {
                    throw new ModelFormatException(model.path(), t.name(), "shape " + Arrays.toString(t.shape())
                            + " but config.json implies " + Arrays.toString(want) + " (from hidden_size, " + widthKey
                            + (x.get().isStack() ? ", num_experts" : "") + "): the config and the weights disagree");
                }
            }
        }
    }

    private static void expect(ModelDir model, String name, long rows, long cols) {
        Optional<TensorInfo> t = model.find(name);
        if (t.isEmpty()) {
            throw new ModelFormatException(model.path(), name, "missing (config.json promises it)");
        }
        long[] s = t.get().shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new ModelFormatException(model.path(), name, "shape " + Arrays.toString(s) + " but config.json implies ["
                    + rows + ", " + cols + "] (from vocab_size, heads, key/value heads, head_dim, hidden_size, intermediate_size): the config and the weights disagree");
        }
    }

    private static void expectVector(ModelDir model, String name, long n) {
        Optional<TensorInfo> t = model.find(name);
        if (t.isEmpty()) throw new ModelFormatException(model.path(), name, "missing (config.json promises it)");
        if (t.get().shape().length != 1 || t.get().shape()[0] != n) {
            throw new ModelFormatException(model.path(), name, "shape " + Arrays.toString(t.get().shape()) + ", expected ["
                    + n + "] for this config");
        }
    }

    private static int positive(ModelConfig c, String key) {
        OptionalInt v = c.optInt(key);
        if (v.isEmpty() || v.getAsInt() <= 0) {
            throw new ModelFormatException(c.file(), key, "must be a positive integer, got " + c.get(key));
        }
        return v.getAsInt();
    }

    /** Finite, positive, and a float32 (GGUF stores these as float32: 1e39 would become infinity there). */
    private static void finitePositive(ModelConfig c, String key, OptionalDouble v) {
        if (v.isPresent() && !(Double.isFinite(v.getAsDouble()) && v.getAsDouble() > 0
                && v.getAsDouble() <= Float.MAX_VALUE && (float) v.getAsDouble() > 0)) {
            throw new ModelFormatException(c.file(), key, "must be a positive number a float32 holds (runtimes read it as "
                    + "one), got " + v.getAsDouble());
        }
    }
}
