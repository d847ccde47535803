package dev.swan.format.gguf;

import dev.swan.api.OutputException;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The metadata keys of llama.cpp's gguf-py constants and its model loader, each with the exact type llama.cpp's loader checks. */
final class GgufMetadata {
    private GgufMetadata() {
    }

    /**
     * The expert keys llama.cpp's converter writes (expert_count, expert_used_count, and for Qwen the expert
     * and shared-expert widths). llama.cpp's qwen3moe and llama (Mixtral) always renormalise the top-k
     * weights and qwen2moe never does, every layer is a mixture, and qwen2moe needs its own output head:
     * a config that says otherwise would run differently there, so it is refused.
     */
    private static void experts(ModelConfig c, GgufArch arch, Map<String, GgufValue> kv) {
        int experts = c.numExperts();
        boolean moe = arch == GgufArch.QWEN2MOE || arch == GgufArch.QWEN3MOE || experts > 0;
        if (!moe) return;
        String a = arch.name;
        if (experts <= 0) throw new OutputException(null, c.file() + ": num_experts is missing (a mixture-of-experts model needs it)");
        kv.put(a + ".expert_count", GgufValue.u32(experts));
        kv.put(a + ".expert_used_count", GgufValue.u32(c.expertsPerToken().orElseThrow(() -> new OutputException(null,
                c.file() + ": num_experts_per_tok is missing (a mixture-of-experts model needs it)"))));
        if (arch == GgufArch.LLAMA) return; // Mixtral: intermediate_size is the experts' width, always renormalised
        kv.put(a + ".expert_feed_forward_length", GgufValue.u32(c.requireInt("moe_intermediate_size")));
        boolean norm = Boolean.TRUE.equals(c.get("norm_topk_prob"));
        if (norm != (arch == GgufArch.QWEN3MOE)) {
            throw new OutputException(null, c.file() + ": norm_topk_prob " + norm + ", but llama.cpp's " + a + " always "
                    + (norm ? "leaves the top-k weights as they are" : "renormalises the top-k weights")
                    + ": the GGUF would run a different model (write MLX instead)");
        }
        Object only = c.get("mlp_only_layers");
        if ((only instanceof List<?> l && !l.isEmpty()) || c.optInt("decoder_sparse_step").orElse(1) != 1) {
            throw new OutputException(null, c.file() + ": mlp_only_layers / decoder_sparse_step make some layers dense, "
                    + "which llama.cpp's " + a + " does not support (write MLX instead)");
        }
        if (arch == GgufArch.QWEN2MOE) {
            kv.put(a + ".expert_shared_feed_forward_length", GgufValue.u32(c.requireInt("shared_expert_intermediate_size")));
            if (c.tieWordEmbeddings()) {
                throw new OutputException(null, c.file() + ": tie_word_embeddings is true, but llama.cpp's qwen2moe needs "
                        + "its own output head");
            }
        }
    }

    static Map<String, GgufValue> build(ModelDir model, GgufArch arch, List<GgufPlan.Entry> entries) throws IOException {
        ModelConfig c = model.config();
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        String a = arch.name;
        kv.put("general.architecture", GgufValue.string(a));
        kv.put("general.type", GgufValue.string("model"));
        GgufValue sourceName = model instanceof GgufSource g ? g.metadata().get("general.name") : null;
        kv.put("general.name", sourceName != null ? sourceName : GgufValue.string(model.name()));
        kv.put("general.quantization_version", GgufValue.u32(2));
        kv.put("general.file_type", GgufValue.u32(fileType(entries)));
        kv.put(a + ".block_count", GgufValue.u32(c.requireInt("num_hidden_layers")));
        kv.put(a + ".context_length", GgufValue.u32(c.requireInt("max_position_embeddings")));
        kv.put(a + ".embedding_length", GgufValue.u32(c.requireInt("hidden_size")));
        kv.put(a + ".feed_forward_length", GgufValue.u32(c.requireInt("intermediate_size")));
        int heads = c.requireInt("num_attention_heads");
        kv.put(a + ".attention.head_count", GgufValue.u32(heads));
        kv.put(a + ".attention.head_count_kv", GgufValue.u32(c.numKvHeads().orElse(heads)));
        kv.put(a + ".rope.freq_base", GgufValue.f32(c.ropeTheta().orElse(10000)));
        kv.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.f32(c.requireDouble("rms_norm_eps")));
        int headDim = c.headDim().orElseThrow(() -> new OutputException(null, "config.json: cannot derive head_dim"));
        if (c.hasExplicitHeadDim()) {
            kv.put(a + ".attention.key_length", GgufValue.u32(headDim));
            kv.put(a + ".attention.value_length", GgufValue.u32(headDim));
        }
        if (arch == GgufArch.LLAMA) {
            kv.put(a + ".rope.dimension_count", GgufValue.u32(headDim));
            kv.put(a + ".vocab_size", GgufValue.u32(embeddingRows(model)));
        }
        experts(c, arch, kv);
        if ((arch == GgufArch.QWEN2 || arch == GgufArch.QWEN2MOE) && (long) heads * headDim != c.requireInt("hidden_size")) {
            throw new OutputException(null, "config.json: qwen2 in llama.cpp needs heads × head_dim = hidden_size");
        }
        c.ropeScaling().ifPresent(rs -> {
            Object type = rs.getOrDefault("rope_type", rs.get("type"));
            if ("linear".equals(type) || "yarn".equals(type)) {
                kv.put(a + ".rope.scaling.type", GgufValue.string((String) type));
                if (rs.get("factor") instanceof Number) kv.put(a + ".rope.scaling.factor", GgufValue.f32(((Number) rs.get("factor")).doubleValue()));
                if ("yarn".equals(type) && rs.get("original_max_position_embeddings") instanceof Number) {
                    kv.put(a + ".rope.scaling.original_context_length",
                            GgufValue.u32(((Number) rs.get("original_max_position_embeddings")).longValue()));
                }
            } else if (type != null && !"llama3".equals(type) && !"default".equals(type)) {
                throw new OutputException(null, "config.json: rope scaling '" + type + "' is not supported for GGUF");
            }
        });
        if (model instanceof GgufSource source) {
            // a GGUF source's vocabulary as llama.cpp stored it, key for key
            source.metadata().forEach((k, v) -> {
                if (k.startsWith("tokenizer.")) kv.put(k, v);
            });
            // the rest of the source's general keys (licence, base model, ...) as llama-quantize carries them
            source.metadata().forEach((k, v) -> {
                if (k.startsWith("general.") && !k.equals("general.file_type")) kv.putIfAbsent(k, v);
            });
        } else {
            kv.putAll(GgufTokenizer.build(model, arch, embeddingRows(model)));
        }
        return kv;
    }

    /**
     * llama-quantize's --override-kv entries applied as it applies them: each key removed and written again
     * last; {@code int} as an unsigned 32-bit value of the number's magnitude, {@code float} as f32, {@code bool}
     * true/false, {@code str} up to 127 characters.
     */
    static void override(Map<String, GgufValue> kv, String entries) {
        if (entries == null || entries.isBlank()) return;
        for (String e : entries.split(";")) {
            if (e.isBlank()) continue;
            int eq = e.indexOf('=');
            if (eq <= 0 || eq >= 128) throw bad(e, "not KEY=TYPE:VALUE");
            String key = e.substring(0, eq);
            String v = e.substring(eq + 1);
            GgufValue value;
            try {
                if (v.startsWith("int:")) {
                    value = GgufValue.u32(Math.abs(Long.parseLong(v.substring(4).trim())) & 0xffffffffL);
                } else if (v.startsWith("float:")) {
                    value = GgufValue.f32(Double.parseDouble(v.substring(6).trim()));
                } else if (v.startsWith("bool:")) {
                    String b = v.substring(5);
                    if (!b.equals("true") && !b.equals("false")) throw bad(e, "a bool is true or false");
                    value = GgufValue.bool(b.equals("true"));
                } else if (v.startsWith("str:")) {
                    if (v.length() - 4 > 127) throw bad(e, "a str value has at most 127 characters");
                    value = GgufValue.string(v.substring(4));
                } else {
                    throw bad(e, "TYPE is int, float, bool or str");
                }
            } catch (NumberFormatException x) {
                throw bad(e, "the value is not a number");
            }
            kv.remove(key);
            kv.put(key, value);
        }
    }

    private static dev.swan.api.ConfigException bad(String entry, String why) {
        return new dev.swan.api.ConfigException("gguf.override_kv", 0, 0, "'" + entry + "': " + why
                + " (e.g. qwen3.context_length=int:8192, general.name=str:my-model)");
    }

    /** Rows of the token embedding, which the token list must match. */
    static int embeddingRows(ModelDir model) {
        return (int) (long) model.find("model.embed_tokens.weight").map(t -> t.dim(0))
                .orElseThrow(() -> new OutputException(null, model.path() + ": no model.embed_tokens.weight"));
    }

    /** The closest llama_ftype to the most common quantized type (general.file_type is only a label). */
    static int fileType(List<GgufPlan.Entry> entries) {
        Map<GgmlType, Long> count = new LinkedHashMap<>();
        for (GgufPlan.Entry e : entries) {
            if (e.ne().length >= 2) count.merge(e.type(), e.ne()[0] * e.ne()[1], Long::sum);
        }
        GgmlType top = count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(GgmlType.F32);
        switch (top) {
            case F32: return 0;
            case F16: return 1;
            case Q4_0: return 2;
            case Q4_1: return 3;
            case Q8_0: return 7;
            case Q5_0: return 8;
            case Q5_1: return 9;
            case Q2_K: return 10;
            case Q3_K: return 12;
            case Q4_K: return 15;
            case Q5_K: return 17;
            case Q6_K: return 18;
            case BF16: return 32;
            default: return 0;
        }
    }
}
