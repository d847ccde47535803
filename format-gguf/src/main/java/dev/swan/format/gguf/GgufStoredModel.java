package dev.swan.format.gguf;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.Vocabulary;
import dev.swan.api.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (ours or llama.cpp's) read as stored, under Hugging Face names and row order: llama's q/k
 * rows, which llama.cpp's converter interleaves for its adjacent-pair RoPE, are read back in the
 * checkpoint's half-split order, and the architecture keys are translated to {@code config.json} terms.
 */
final class GgufStoredModel implements StoredModel {
    private final GgufReader reader;
    private final List<GgufReader> parts;
    private final ModelConfig config;
    private final Map<String, StoredTensor> tensors;
    private final Optional<Vocabulary> vocabulary;

    private GgufStoredModel(List<GgufReader> parts, ModelConfig config, Map<String, StoredTensor> tensors,
                            Optional<Vocabulary> vocabulary) {
        this.reader = parts.get(0);
        this.parts = List.copyOf(parts);
        this.config = config;
        this.tensors = tensors;
        this.vocabulary = vocabulary;
    }

    /** llama.cpp's split files: PREFIX-00001-of-00003.gguf, the first holding the metadata. */
    private static final java.util.regex.Pattern SPLIT = java.util.regex.Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    /** Every file of a split model (any one of them named), in order; the file alone otherwise. */
    static List<Path> splitFiles(Path file) {
        java.util.regex.Matcher m = SPLIT.matcher(file.getFileName().toString());
        if (!m.matches()) return List.of(file);
        int n = Integer.parseInt(m.group(3));
        List<Path> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Path p = file.resolveSibling(String.format(java.util.Locale.ROOT, "%s-%05d-of-%05d.gguf", m.group(1), i, n));
            if (!Files.isRegularFile(p)) {
                throw new ModelFormatException(p, null, "missing: part " + i + " of the " + n + "-file split model " + file.getFileName());
            }
            out.add(p);
        }
        return out;
    }

    static GgufStoredModel open(Path given) throws IOException {
        List<Path> files = splitFiles(given);
        Path file = files.get(0);
        List<GgufReader> parts = new ArrayList<>();
        try {
            for (Path p : files) parts.add(GgufReader.open(p));
            GgufReader r = parts.get(0);
            Map<String, GgufValue> kv = r.metadata();
            if (value(kv, "split.count") instanceof Number count && count.intValue() != files.size()) {
                throw new ModelFormatException(file, "split.count", count + " files, but the name says " + files.size());
            }
            String arch = string(kv, "general.architecture", "");
            Map<String, GgufReader.Info> byName = new LinkedHashMap<>();
            for (GgufReader part : parts) for (GgufReader.Info t : part.tensors()) byName.put(t.name(), t);
            ModelConfig config = config(file, arch, kv, byName);
            int heads = config.numHeads().orElse(0);
            int kvHeads = config.numKvHeads().orElse(heads);
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            boolean mixtral = config.modelType().equals("mixtral");
            for (GgufReader part : parts) for (GgufReader.Info t : part.tensors()) {
                String hf = GgufArch.hfName(t.name(), mixtral).orElse(t.name());
                int permute = 0;
                if (arch.equals("llama")) {
                    if (t.name().matches("blk\\.\\d+\\.attn_q\\.(weight|bias)")) permute = heads;
                    if (t.name().matches("blk\\.\\d+\\.attn_k\\.(weight|bias)")) permute = kvHeads;
                }
                if (tensors.put(hf, new Tensor(part, t, hf, permute)) != null) {
                    throw new ModelFormatException(file, t.name(), "two tensors stand for " + hf);
                }
            }
            return new GgufStoredModel(parts, config, Collections.unmodifiableMap(tensors), vocabulary(kv));
        } catch (IOException | RuntimeException e) {
            for (GgufReader p : parts) p.close();
            throw e;
        }
    }

    /** llama.cpp's hyper-parameter keys as the config.json keys they were converted from. */
    private static ModelConfig config(Path file, String arch, Map<String, GgufValue> kv,
                                      Map<String, GgufReader.Info> tensors) {
        Map<String, Object> c = new LinkedHashMap<>();
        boolean experts = value(kv, arch + ".expert_count") instanceof Long n && n > 0;
        String hfArch = switch (arch) {
            case "llama" -> experts ? "MixtralForCausalLM" : "LlamaForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            case "qwen2moe" -> "Qwen2MoeForCausalLM";
            case "qwen3moe" -> "Qwen3MoeForCausalLM";
            default -> "";
        };
        c.put("architectures", hfArch.isEmpty() ? List.of() : List.of(hfArch));
        c.put("model_type", switch (arch) {
            case "llama" -> experts ? "mixtral" : "llama";
            case "qwen2moe" -> "qwen2_moe";
            case "qwen3moe" -> "qwen3_moe";
            default -> arch;
        });
        if (experts) {
            copyInt(kv, arch + ".expert_count", c, arch.equals("llama") ? "num_local_experts" : "num_experts");
            copyInt(kv, arch + ".expert_used_count", c, "num_experts_per_tok");
            if (!arch.equals("llama")) {
                // llama.cpp's qwen3moe renormalises the top-k weights, its qwen2moe does not
                c.put("norm_topk_prob", arch.equals("qwen3moe"));
                // llama.cpp's qwen MoE models are a mixture in every layer
                c.put("decoder_sparse_step", 1L);
                c.put("mlp_only_layers", List.of());
                GgufReader.Info gate = tensors.get("blk.0.ffn_gate_exps.weight");
                if (gate != null && gate.ne().length == 3) c.put("moe_intermediate_size", gate.ne()[1]);
                copyInt(kv, arch + ".expert_feed_forward_length", c, "moe_intermediate_size");
                GgufReader.Info shared = tensors.get("blk.0.ffn_gate_shexp.weight");
                if (shared != null && shared.ne().length == 2) c.put("shared_expert_intermediate_size", shared.ne()[1]);
                copyInt(kv, arch + ".expert_shared_feed_forward_length", c, "shared_expert_intermediate_size");
            }
        }
        copyInt(kv, arch + ".embedding_length", c, "hidden_size");
        copyInt(kv, arch + ".block_count", c, "num_hidden_layers");
        copyInt(kv, arch + ".feed_forward_length", c, "intermediate_size");
        copyInt(kv, arch + ".attention.head_count", c, "num_attention_heads");
        copyInt(kv, arch + ".attention.head_count_kv", c, "num_key_value_heads");
        copyInt(kv, arch + ".attention.key_length", c, "head_dim");
        copyInt(kv, arch + ".context_length", c, "max_position_embeddings");
        copyInt(kv, arch + ".rope.dimension_count", c, "rope_dimension_count");
        Object eps = value(kv, arch + ".attention.layer_norm_rms_epsilon");
        if (eps instanceof Number n) c.put("rms_norm_eps", shortest(n));
        Object theta = value(kv, arch + ".rope.freq_base");
        c.put("rope_theta", theta instanceof Number n ? shortest(n) : 10000.0);
        Object scaling = value(kv, arch + ".rope.scaling.type");
        if (scaling instanceof String s && !s.equals("none")) {
            Map<String, Object> rs = new LinkedHashMap<>();
            rs.put("rope_type", s);
            Object f = value(kv, arch + ".rope.scaling.factor");
            if (f instanceof Number n) rs.put("factor", n.doubleValue());
            c.put("rope_scaling", rs);
        }
        GgufReader.Info embd = tensors.get("token_embd.weight");
        if (embd != null && embd.ne().length == 2) c.put("vocab_size", embd.ne()[1]);
        c.put("tie_word_embeddings", !tensors.containsKey("output.weight"));
        return new ModelConfig(file, c);
    }

    /** A float32 key as the decimal it was written from (1e-5, not 9.999999747378752e-06). */
    private static double shortest(Number n) {
        return n instanceof Float f ? Double.parseDouble(Float.toString(f)) : n.doubleValue();
    }

    private static Optional<Vocabulary> vocabulary(Map<String, GgufValue> kv) {
        Object model = value(kv, "tokenizer.ggml.model");
        Object tokens = value(kv, "tokenizer.ggml.tokens");
        if (!(model instanceof String m) || !(tokens instanceof List<?> t)) return Optional.empty();
        List<String> text = new ArrayList<>(t.size());
        for (Object o : t) text.add(String.valueOf(o));
        List<Float> scores = new ArrayList<>();
        if (value(kv, "tokenizer.ggml.scores") instanceof List<?> s) for (Object o : s) scores.add(((Number) o).floatValue());
        List<Integer> types = new ArrayList<>();
        if (value(kv, "tokenizer.ggml.token_type") instanceof List<?> s) for (Object o : s) types.add(((Number) o).intValue());
        List<String> merges = new ArrayList<>();
        if (value(kv, "tokenizer.ggml.merges") instanceof List<?> s) for (Object o : s) merges.add(String.valueOf(o));
        boolean spm = m.equals("llama");
        return Optional.of(new Vocabulary(m, string(kv, "tokenizer.ggml.pre", "default"), text, scores, types, merges,
                id(kv, "tokenizer.ggml.bos_token_id"), id(kv, "tokenizer.ggml.eos_token_id"),
                id(kv, "tokenizer.ggml.unknown_token_id"),
                bool(kv, "tokenizer.ggml.add_bos_token", spm), bool(kv, "tokenizer.ggml.add_space_prefix", spm)));
    }

    private static Object value(Map<String, GgufValue> kv, String key) {
        GgufValue v = kv.get(key);
        return v == null ? null : v.value();
    }

    private static String string(Map<String, GgufValue> kv, String key, String otherwise) {
        return value(kv, key) instanceof String s ? s : otherwise;
    }

    private static int id(Map<String, GgufValue> kv, String key) {
        return value(kv, key) instanceof Long l ? l.intValue() : -1;
    }

    private static boolean bool(Map<String, GgufValue> kv, String key, boolean otherwise) {
        return value(kv, key) instanceof Boolean b ? b : otherwise;
    }

    private static void copyInt(Map<String, GgufValue> kv, String key, Map<String, Object> c, String hfKey) {
        if (value(kv, key) instanceof Long l) c.put(hfKey, l);
    }

    /** The files, in order (one unless the model is split). */
    List<Path> files() {
        return parts.stream().map(GgufReader::file).toList();
    }

    /** The file's metadata, every key as stored. */
    Map<String, GgufValue> metadata() {
        return reader.metadata();
    }

    @Override
    public Path path() {
        return reader.file();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, StoredTensor> tensors() {
        return tensors;
    }

    @Override
    public Optional<Vocabulary> vocabulary() {
        return vocabulary;
    }

    @Override
    public Optional<String> chatTemplate() {
        return value(reader.metadata(), "tokenizer.chat_template") instanceof String s ? Optional.of(s) : Optional.empty();
    }

    @Override
    public long fileBytes() {
        try {
            long n = 0;
            for (GgufReader p : parts) n += Files.size(p.file());
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            for (GgufReader p : parts) p.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One GGUF tensor; {@code permuteHeads} > 0 reads llama's interleaved q/k rows in half-split order. */
    record Tensor(GgufReader reader, GgufReader.Info info, String name, int permuteHeads) implements StoredTensor {
        @Override
        public long[] shape() {
            long[] ne = info.ne();
            // qwen2moe's shared-expert gate, [1, hidden] in the checkpoint, is stored as a vector
            if (ne.length == 1 && name.endsWith("mlp.shared_expert_gate.weight")) return new long[] {1, ne[0]};
            long[] s = new long[ne.length];
            for (int i = 0; i < ne.length; i++) s[i] = ne[ne.length - 1 - i];
            return s;
        }

        @Override
        public String encoding() {
            return info.type().name();
        }

        @Override
        public long storedBytes() {
            return info.bytes();
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            int cols = (int) info.ne()[0];
            int rowBytes = (int) info.type().rowBytes(cols);
            try {
                if (permuteHeads == 0) {
                    byte[] raw = new byte[rowBytes * count];
                    reader.read(info, first * rowBytes, raw, raw.length);
                    info.type().quantizer().dequantizeRow(raw, 0, cols * count, dst, 0);
                    return;
                }
                byte[] raw = new byte[rowBytes];
                long rows = info.rows();
                for (int i = 0; i < count; i++) {
                    reader.read(info, storedRow(first + i, rows, permuteHeads) * rowBytes, raw, rowBytes);
                    info.type().quantizer().dequantizeRow(raw, 0, cols, dst, i * cols);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(reader.file() + ": cannot read " + info.name() + ": " + e.getMessage(), e);
            }
        }

        /** Row {@code row} (Hugging Face order) as stored, {@code rowBytes} bytes into {@code dst}. */
        void readStoredRow(long row, byte[] dst) throws IOException {
            int rowBytes = (int) info.type().rowBytes(info.ne()[0]);
            long at = permuteHeads == 0 ? row : storedRow(row, info.rows(), permuteHeads);
            reader.read(info, at * rowBytes, dst, rowBytes);
        }

        /**
         * Where Hugging Face row {@code r} sits in llama.cpp's layout: within a head, the first half's element
         * i and the second half's element i become the adjacent pair 2i, 2i + 1.
         */
        static long storedRow(long r, long rows, int heads) {
            long hd = rows / heads;
            long half = hd / 2;
            long w = r % hd;
            return r / hd * hd + 2 * (w % half) + w / half;
        }
    }
}
