package dev.swan.testkit;

import dev.swan.toolkit.json.JsonWriter;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes small (or, with zero data, arbitrarily large) Hugging Face model directories with Llama or
 * Qwen3 tensor names and shapes: config, safetensors weights (single file or shards with an index),
 * tokenizer files and generation config. Used by {@code swan demo} and by every module's tests.
 *
 * <p>Weights are deterministic for a seed. Each matrix draws from one of three families chosen from its
 * name: Gaussian, heavy-tailed (Student-t, 3 degrees of freedom) or low rank plus noise, so metrics and
 * allocators see a realistic spread of sensitivities.
 */
public final class SyntheticModel {

    /** What to generate. Build with {@link #llama()} or {@link #qwen3()} and the {@code with*} methods. */
    public record Spec(String arch, int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim,
                       int vocab, DType dtype, boolean tied, boolean storeTiedHead, long maxShardBytes, long seed,
                       boolean zeroData, Moe moe) {

        public Spec withSize(int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim, int vocab) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, dtype, tied,
                    storeTiedHead, maxShardBytes, seed, zeroData, moe);
        }

        public Spec withDtype(DType d) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, d, tied,
                    storeTiedHead, maxShardBytes, seed, zeroData, moe);
        }

        /** Tied embeddings; {@code storeHead} also writes an {@code lm_head.weight} copy, as some checkpoints do. */
        public Spec withTied(boolean t, boolean storeHead) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, dtype, t,
                    storeHead, maxShardBytes, seed, zeroData, moe);
        }

        /** Shards of at most this many data bytes (0 = one {@code model.safetensors}). */
        public Spec withMaxShardBytes(long b) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, dtype, tied,
                    storeTiedHead, b, seed, zeroData, moe);
        }

        public Spec withSeed(long s) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, dtype, tied,
                    storeTiedHead, maxShardBytes, s, zeroData, moe);
        }

        /** Headers only, data left as (sparse) zeros: for size and speed tests of header handling. */
        public Spec withZeroData(boolean z) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, dtype, tied,
                    storeTiedHead, maxShardBytes, seed, z, moe);
        }

        /** A mixture-of-experts variant (null: dense). */
        public Spec withMoe(Moe m) {
            return new Spec(arch, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, dtype, tied,
                    storeTiedHead, maxShardBytes, seed, zeroData, m);
        }

        public long parameterCount() {
            long n = 0;
            for (SafetensorsWriter.Entry e : tensors(this)) n += e.byteSize() / e.dtype().size();
            return n;
        }
    }

    /**
     * The expert layout of a mixture-of-experts spec.
     *
     * @param experts            experts per layer
     * @param perToken           experts each token is routed to
     * @param expertIntermediate rows of each expert's gate/up projection
     * @param sharedIntermediate rows of the shared expert (qwen2_moe), 0 for none
     * @param stacked            store each projection's experts as one 3-D [E, out, in] tensor
     *                           ({@code mlp.experts.gate_proj.weight}), as some converted checkpoints do
     */
    public record Moe(int experts, int perToken, int expertIntermediate, int sharedIntermediate, boolean stacked) {
        public Moe withStacked(boolean s) {
            return new Moe(experts, perToken, expertIntermediate, sharedIntermediate, s);
        }
    }

    private SyntheticModel() {
    }

    /** A tiny Qwen3-MoE: 2 layers, hidden 128, 8 experts of 64 rows, 2 per token, q/k norms, untied head. */
    public static Spec qwen3Moe() {
        return new Spec("qwen3_moe", 128, 384, 2, 4, 2, 32, 640, DType.BF16, false, false, 0, 1234, false,
                new Moe(8, 2, 64, 0, false));
    }

    /** A tiny Qwen2-MoE: q/k/v biases, 8 experts plus a shared expert with its sigmoid gate, untied head. */
    public static Spec qwen2Moe() {
        return new Spec("qwen2_moe", 128, 384, 2, 4, 2, 32, 640, DType.BF16, false, false, 0, 1234, false,
                new Moe(8, 2, 64, 128, false));
    }

    /** A tiny Mixtral: Llama attention, {@code block_sparse_moe} with 4 experts (w1/w2/w3), 2 per token. */
    public static Spec mixtral() {
        return new Spec("mixtral", 128, 96, 2, 4, 2, 32, 512, DType.F16, false, false, 0, 1234, false,
                new Moe(4, 2, 96, 0, false));
    }

    /** Qwen tokenizer, config and special tokens (byte-level BPE, no BOS) rather than Llama's SentencePiece. */
    private static boolean qwenFamily(Spec s) {
        return s.arch().startsWith("qwen");
    }

    /** A tiny Llama (the stories260K shape, but a multiple of 32 everywhere): 4 layers, hidden 128. */
    public static Spec llama() {
        return new Spec("llama", 128, 384, 4, 4, 2, 32, 512, DType.F32, true, false, 0, 1234, false, null);
    }

    /** A tiny Qwen2 (q/k/v biases, tied head): 2 layers, hidden 128. */
    public static Spec qwen2() {
        return new Spec("qwen2", 128, 384, 2, 4, 2, 32, 640, DType.BF16, true, false, 0, 1234, false, null);
    }

    /** A tiny Qwen3 (explicit head_dim, q/k norms, untied head): 4 layers, hidden 128. */
    public static Spec qwen3() {
        return new Spec("qwen3", 128, 384, 4, 4, 2, 32, 640, DType.BF16, false, false, 0, 1234, false, null);
    }

    /** Tensor names, dtypes and shapes in checkpoint order. */
    public static List<SafetensorsWriter.Entry> tensors(Spec s) {
        List<SafetensorsWriter.Entry> out = new ArrayList<>();
        DType d = s.dtype();
        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        out.add(new SafetensorsWriter.Entry("model.embed_tokens.weight", d, new long[] {s.vocab(), s.hidden()}));
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(new SafetensorsWriter.Entry(p + "input_layernorm.weight", d, new long[] {s.hidden()}));
            out.add(new SafetensorsWriter.Entry(p + "self_attn.q_proj.weight", d, new long[] {q, s.hidden()}));
            out.add(new SafetensorsWriter.Entry(p + "self_attn.k_proj.weight", d, new long[] {kv, s.hidden()}));
            out.add(new SafetensorsWriter.Entry(p + "self_attn.v_proj.weight", d, new long[] {kv, s.hidden()}));
            if (s.arch().startsWith("qwen2")) {
                out.add(new SafetensorsWriter.Entry(p + "self_attn.q_proj.bias", d, new long[] {q}));
                out.add(new SafetensorsWriter.Entry(p + "self_attn.k_proj.bias", d, new long[] {kv}));
                out.add(new SafetensorsWriter.Entry(p + "self_attn.v_proj.bias", d, new long[] {kv}));
            }
            out.add(new SafetensorsWriter.Entry(p + "self_attn.o_proj.weight", d, new long[] {s.hidden(), q}));
            if (s.arch().startsWith("qwen3")) {
                out.add(new SafetensorsWriter.Entry(p + "self_attn.q_norm.weight", d, new long[] {s.headDim()}));
                out.add(new SafetensorsWriter.Entry(p + "self_attn.k_norm.weight", d, new long[] {s.headDim()}));
            }
            out.add(new SafetensorsWriter.Entry(p + "post_attention_layernorm.weight", d, new long[] {s.hidden()}));
            if (s.moe() == null) {
                out.add(new SafetensorsWriter.Entry(p + "mlp.gate_proj.weight", d, new long[] {s.intermediate(), s.hidden()}));
                out.add(new SafetensorsWriter.Entry(p + "mlp.up_proj.weight", d, new long[] {s.intermediate(), s.hidden()}));
                out.add(new SafetensorsWriter.Entry(p + "mlp.down_proj.weight", d, new long[] {s.hidden(), s.intermediate()}));
            } else {
                experts(s, p, out);
            }
        }
        out.add(new SafetensorsWriter.Entry("model.norm.weight", d, new long[] {s.hidden()}));
        if (!s.tied() || s.storeTiedHead()) {
            out.add(new SafetensorsWriter.Entry("lm_head.weight", d, new long[] {s.vocab(), s.hidden()}));
        }
        return out;
    }

    /** A layer's router and experts, in the names of the spec's architecture. */
    private static void experts(Spec s, String p, List<SafetensorsWriter.Entry> out) {
        DType d = s.dtype();
        Moe m = s.moe();
        boolean mixtral = s.arch().equals("mixtral");
        String block = mixtral ? "block_sparse_moe." : "mlp.";
        String[] names = mixtral ? new String[] {"w1", "w2", "w3"} : new String[] {"gate_proj", "down_proj", "up_proj"};
        out.add(new SafetensorsWriter.Entry(p + block + "gate.weight", d, new long[] {m.experts(), s.hidden()}));
        long ff = m.expertIntermediate();
        if (m.stacked()) {
            for (String n : names) {
                boolean down = n.equals("down_proj") || n.equals("w2");
                out.add(new SafetensorsWriter.Entry(p + block + "experts." + n + ".weight", d,
                        down ? new long[] {m.experts(), s.hidden(), ff} : new long[] {m.experts(), ff, s.hidden()}));
            }
        } else {
            for (int e = 0; e < m.experts(); e++) {
                for (String n : names) {
                    boolean down = n.equals("down_proj") || n.equals("w2");
                    out.add(new SafetensorsWriter.Entry(p + block + "experts." + e + "." + n + ".weight", d,
                            down ? new long[] {s.hidden(), ff} : new long[] {ff, s.hidden()}));
                }
            }
        }
        if (m.sharedIntermediate() > 0) {
            long sh = m.sharedIntermediate();
            out.add(new SafetensorsWriter.Entry(p + "mlp.shared_expert.gate_proj.weight", d, new long[] {sh, s.hidden()}));
            out.add(new SafetensorsWriter.Entry(p + "mlp.shared_expert.up_proj.weight", d, new long[] {sh, s.hidden()}));
            out.add(new SafetensorsWriter.Entry(p + "mlp.shared_expert.down_proj.weight", d, new long[] {s.hidden(), sh}));
            out.add(new SafetensorsWriter.Entry(p + "mlp.shared_expert_gate.weight", d, new long[] {1, s.hidden()}));
        }
    }

    /** Writes the model into {@code dir} (created if needed). */
    public static void write(Spec s, Path dir) throws IOException {
        write(s, dir, java.util.function.UnaryOperator.identity());
    }

    /**
     * As above, with the tensor list passed through {@code edit} first (tests make checkpoints that
     * contradict their config: a tensor left out, one of another shape).
     */
    public static void write(Spec s, Path dir, java.util.function.UnaryOperator<List<SafetensorsWriter.Entry>> edit)
            throws IOException {
        Files.createDirectories(dir);
        List<SafetensorsWriter.Entry> all = edit.apply(tensors(s));
        List<List<SafetensorsWriter.Entry>> shards = new ArrayList<>();
        List<SafetensorsWriter.Entry> cur = new ArrayList<>();
        long curBytes = 0;
        for (SafetensorsWriter.Entry e : all) {
            if (s.maxShardBytes() > 0 && !cur.isEmpty() && curBytes + e.byteSize() > s.maxShardBytes()) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(e);
            curBytes += e.byteSize();
        }
        shards.add(cur);
        Map<String, String> meta = Map.of("format", "pt");
        Map<String, Object> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String file = shards.size() == 1 && s.maxShardBytes() == 0 ? "model.safetensors"
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            writeShard(s, dir.resolve(file), meta, shards.get(i));
            for (SafetensorsWriter.Entry e : shards.get(i)) {
                weightMap.put(e.name(), file);
                total += e.byteSize();
            }
        }
        if (s.maxShardBytes() > 0) {
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("metadata", Map.of("total_size", total));
            index.put("weight_map", weightMap);
            writeJson(dir.resolve("model.safetensors.index.json"), index);
        }
        writeJson(dir.resolve("config.json"), config(s));
        writeSideFiles(s, dir);
    }

    /**
     * Copies the model in {@code from} to {@code to} with every projection's per-expert slices stored as
     * one [E, out, in] stack ({@code mlp.experts.gate_proj.weight}), bytes unchanged: the same weights in
     * the other published layout.
     */
    public static void restack(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (dev.swan.api.model.ModelDir m = dev.swan.toolkit.model.ModelFolder.open(from); var listing = Files.list(from)) {
            for (Path f : (Iterable<Path>) listing::iterator) {
                if (!f.getFileName().toString().startsWith("model")) Files.copy(f, to.resolve(f.getFileName()));
            }
            Map<String, List<dev.swan.api.tensor.TensorInfo>> stacks = new LinkedHashMap<>();
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (dev.swan.api.tensor.TensorInfo t : m.tensors()) {
                var x = dev.swan.toolkit.model.ExpertWeight.parse(t.name()).filter(w -> !w.isStack());
                if (x.isEmpty()) {
                    entries.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape()));
                    continue;
                }
                List<dev.swan.api.tensor.TensorInfo> parts = stacks.computeIfAbsent(x.get().stackName(), k -> new ArrayList<>());
                if (parts.isEmpty()) entries.add(new SafetensorsWriter.Entry(x.get().stackName(), t.dtype(), new long[0]));
                parts.add(t);
            }
            for (int i = 0; i < entries.size(); i++) {
                List<dev.swan.api.tensor.TensorInfo> parts = stacks.get(entries.get(i).name());
                if (parts == null) continue;
                parts.sort(java.util.Comparator.comparingInt(t -> dev.swan.toolkit.model.ExpertWeight.parse(t.name()).orElseThrow().expert()));
                long[] s = parts.get(0).shape();
                entries.set(i, new SafetensorsWriter.Entry(entries.get(i).name(), parts.get(0).dtype(),
                        new long[] {parts.size(), s[0], s[1]}));
            }
            try (SafetensorsWriter w = SafetensorsWriter.create(to.resolve("model.safetensors"), Map.of("format", "pt"), entries)) {
                for (SafetensorsWriter.Entry e : entries) {
                    w.beginTensor(e.name());
                    List<dev.swan.api.tensor.TensorInfo> parts = stacks.containsKey(e.name()) ? stacks.get(e.name())
                            : List.of(m.find(e.name()).orElseThrow());
                    for (dev.swan.api.tensor.TensorInfo t : parts) {
                        byte[] b = new byte[Math.toIntExact(t.byteSize())];
                        m.data(t).readBytes(0, b, 0, b.length);
                        w.write(b, 0, b.length);
                    }
                }
            }
        }
    }

    private static void writeShard(Spec s, Path file, Map<String, String> meta, List<SafetensorsWriter.Entry> entries)
            throws IOException {
        if (s.zeroData()) {
            byte[] header = SafetensorsWriter.headerBytes(meta, entries);
            long size = SafetensorsWriter.fileSize(meta, entries);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(0);
                raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
                raf.write(header);
                raf.setLength(size);
            }
            return;
        }
        try (SafetensorsWriter w = SafetensorsWriter.create(file, meta, entries)) {
            for (SafetensorsWriter.Entry e : entries) {
                w.beginTensor(e.name());
                writeData(s, e, w);
            }
        }
    }

    private static void writeData(Spec s, SafetensorsWriter.Entry e, SafetensorsWriter w) throws IOException {
        long[] shape = e.shape();
        int cols = (int) shape[shape.length - 1];
        int rows = (int) (e.byteSize() / e.dtype().size() / cols);
        SeededRandom rnd = new SeededRandom(SeededRandom.seedFor(s.seed(), e.name(), "synthetic"));
        Family family = e.name().endsWith(".bias") ? Family.GAUSSIAN : shape.length == 1 ? Family.NORM : Family.of(e.name());
        float scale = (float) (1.0 / Math.sqrt(e.name().endsWith(".bias") ? 64 * cols : cols));
        // routers as trained ones are: decisive (logits a few units apart), so that tiny numeric
        // differences between runtimes rarely change which experts a token goes to
        if (e.name().endsWith("mlp.gate.weight") || e.name().endsWith("block_sparse_moe.gate.weight")) scale *= 4;
        float[] lowRank = null;
        int rank = 8;
        if (family == Family.LOW_RANK) {
            lowRank = new float[rank * cols];
            for (int i = 0; i < lowRank.length; i++) lowRank[i] = gauss(rnd) * scale;
        }
        float[] row = new float[cols];
        ByteBuffer buf = ByteBuffer.allocate(cols * e.dtype().size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                switch (family) {
                    case NORM: row[c] = 1f + 0.05f * gauss(rnd); break;
                    case HEAVY: row[c] = scale * studentT3(rnd); break;
                    case LOW_RANK: row[c] = 0.1f * scale * gauss(rnd); break;
                    default: row[c] = scale * gauss(rnd);
                }
            }
            if (lowRank != null) {
                for (int k = 0; k < rank; k++) {
                    float u = gauss(rnd) * 3f;
                    for (int c = 0; c < cols; c++) row[c] += u * lowRank[k * cols + c];
                }
            }
            buf.clear();
            for (int c = 0; c < cols; c++) {
                switch (e.dtype()) {
                    case BF16: buf.putShort(HalfFloats.f32ToBf16(row[c])); break;
                    case F16: buf.putShort(HalfFloats.f32ToF16(row[c])); break;
                    default: buf.putFloat(row[c]);
                }
            }
            buf.flip();
            w.write(buf);
        }
    }

    private enum Family {
        GAUSSIAN, HEAVY, LOW_RANK, NORM;

        static Family of(String name) {
            if (name.contains("embed") || name.contains("lm_head")) return GAUSSIAN;
            int h = Math.floorMod(name.hashCode(), 10);
            return h < 6 ? GAUSSIAN : h < 8 ? HEAVY : LOW_RANK;
        }
    }

    /** A cheap approximately normal draw (sum of four uniforms, variance 1): fast enough for large fixtures. */
    private static float gauss(SeededRandom r) {
        return (r.nextFloat() + r.nextFloat() + r.nextFloat() + r.nextFloat() - 2f) * 1.7320508f;
    }

    /** Student-t with 3 degrees of freedom, scaled to unit variance. */
    private static float studentT3(SeededRandom r) {
        double g = r.nextGaussian();
        double chi = 0;
        for (int i = 0; i < 3; i++) {
            double x = r.nextGaussian();
            chi += x * x;
        }
        return (float) (g / Math.sqrt(chi / 3.0) / Math.sqrt(3.0));
    }

    static Map<String, Object> config(Spec s) {
        Map<String, Object> c = new LinkedHashMap<>();
        boolean qwen = qwenFamily(s);
        c.put("architectures", List.of(switch (s.arch()) {
            case "qwen3" -> "Qwen3ForCausalLM";
            case "qwen3_moe" -> "Qwen3MoeForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen2_moe" -> "Qwen2MoeForCausalLM";
            case "mixtral" -> "MixtralForCausalLM";
            default -> "LlamaForCausalLM";
        }));
        c.put("model_type", s.arch());
        c.put("hidden_size", (long) s.hidden());
        c.put("intermediate_size", (long) s.intermediate());
        c.put("num_attention_heads", (long) s.heads());
        c.put("num_key_value_heads", (long) s.kvHeads());
        c.put("head_dim", (long) s.headDim());
        c.put("num_hidden_layers", (long) s.layers());
        c.put("rms_norm_eps", 1e-6);
        c.put("vocab_size", (long) s.vocab());
        c.put("rope_theta", qwen || s.arch().equals("mixtral") ? 1000000.0 : 10000.0);
        c.put("max_position_embeddings", 2048L);
        c.put("tie_word_embeddings", s.tied());
        c.put("hidden_act", "silu");
        c.put("attention_bias", false);
        Moe m = s.moe();
        if (m != null && s.arch().equals("mixtral")) {
            c.put("num_local_experts", (long) m.experts());
            c.put("num_experts_per_tok", (long) m.perToken());
            c.put("sliding_window", null);
        } else if (m != null) {
            c.put("num_experts", (long) m.experts());
            c.put("num_experts_per_tok", (long) m.perToken());
            c.put("moe_intermediate_size", (long) m.expertIntermediate());
            c.put("norm_topk_prob", s.arch().equals("qwen3_moe"));
            c.put("decoder_sparse_step", 1L);
            c.put("mlp_only_layers", List.of());
            if (m.sharedIntermediate() > 0) c.put("shared_expert_intermediate_size", (long) m.sharedIntermediate());
        }
        if (qwen) {
            c.put("bos_token_id", (long) (tokenizerSize(s) - 3));
            c.put("eos_token_id", (long) (tokenizerSize(s) - 1));
        } else {
            c.put("bos_token_id", 1L);
            c.put("eos_token_id", 2L);
        }
        c.put("torch_dtype", s.dtype() == DType.BF16 ? "bfloat16" : s.dtype() == DType.F16 ? "float16" : "float32");
        return c;
    }

    /** Tokens the tokenizer defines (the embedding may have padding rows beyond them, as Qwen's does). */
    private static int tokenizerSize(Spec s) {
        return qwenFamily(s) ? s.vocab() - 16 : s.vocab();
    }

    private static void writeSideFiles(Spec s, Path dir) throws IOException {
        boolean qwen = qwenFamily(s);
        Map<String, Object> gen = new LinkedHashMap<>();
        Map<String, Object> cfg = config(s);
        gen.put("bos_token_id", cfg.get("bos_token_id"));
        gen.put("eos_token_id", cfg.get("eos_token_id"));
        gen.put("do_sample", false);
        writeJson(dir.resolve("generation_config.json"), gen);
        Map<String, Object> tc = new LinkedHashMap<>();
        Map<String, Object> special = new LinkedHashMap<>();
        if (qwen) {
            writeJson(dir.resolve("tokenizer.json"), SyntheticTokenizer.byteLevel(tokenizerSize(s)));
            tc.put("tokenizer_class", "Qwen2Tokenizer");
            tc.put("bos_token", null);
            tc.put("eos_token", "<|im_end|>");
            tc.put("pad_token", "<|endoftext|>");
            tc.put("add_bos_token", false);
            tc.put("chat_template", "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
                    + "{{ message['content'] }}<|im_end|>\n{% endfor %}"
                    + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
            special.put("eos_token", "<|im_end|>");
            special.put("pad_token", "<|endoftext|>");
        } else {
            writeJson(dir.resolve("tokenizer.json"), SyntheticTokenizer.sentencePiece(s.vocab()));
            tc.put("tokenizer_class", "LlamaTokenizerFast");
            tc.put("bos_token", "<s>");
            tc.put("eos_token", "</s>");
            tc.put("unk_token", "<unk>");
            tc.put("add_bos_token", true);
            tc.put("add_eos_token", false);
            special.put("bos_token", "<s>");
            special.put("eos_token", "</s>");
            special.put("unk_token", "<unk>");
        }
        writeJson(dir.resolve("tokenizer_config.json"), tc);
        writeJson(dir.resolve("special_tokens_map.json"), special);
    }

    private static void writeJson(Path file, Object value) throws IOException {
        Files.writeString(file, JsonWriter.pretty(2, false).write(value) + "\n", StandardCharsets.UTF_8);
    }
}
