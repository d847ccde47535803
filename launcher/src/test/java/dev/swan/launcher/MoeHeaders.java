package dev.swan.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.api.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Header-only Qwen3-MoE checkpoints as Hugging Face publishes them (per-expert {@code mlp.experts.N.*_proj}
 * slices, router {@code mlp.gate}, sharded with an index), their data sparse zeros: the shapes of
 * Qwen3-30B-A3B or 235B-A22B at no disk cost, for header-only commands.
 */
record MoeHeaders(int hidden, int moeIntermediate, int layers, int heads, int kvHeads, int headDim, int vocab,
                  int experts, int perToken) {

    static MoeHeaders qwen3_30bA3b() {
        return new MoeHeaders(2048, 768, 48, 32, 4, 128, 151936, 128, 8);
    }

    static MoeHeaders qwen3_235bA22b() {
        return new MoeHeaders(4096, 1536, 94, 64, 4, 128, 151936, 128, 8);
    }

    void write(Path dir, long maxShardBytes) throws IOException {
        write(dir, maxShardBytes, "");
    }

    /** With a {@code defect}: "missing" leaves out layer 1's last expert, "unequal" widens one expert, "router" drops a router row. */
    void write(Path dir, long maxShardBytes, String defect) throws IOException {
        Files.createDirectories(dir);
        List<SafetensorsWriter.Entry> all = new ArrayList<>();
        all.add(new SafetensorsWriter.Entry("model.embed_tokens.weight", DType.BF16, new long[] {vocab, hidden}));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            all.add(new SafetensorsWriter.Entry(p + "input_layernorm.weight", DType.BF16, new long[] {hidden}));
            all.add(new SafetensorsWriter.Entry(p + "self_attn.q_proj.weight", DType.BF16, new long[] {(long) heads * headDim, hidden}));
            all.add(new SafetensorsWriter.Entry(p + "self_attn.k_proj.weight", DType.BF16, new long[] {(long) kvHeads * headDim, hidden}));
            all.add(new SafetensorsWriter.Entry(p + "self_attn.v_proj.weight", DType.BF16, new long[] {(long) kvHeads * headDim, hidden}));
            all.add(new SafetensorsWriter.Entry(p + "self_attn.o_proj.weight", DType.BF16, new long[] {hidden, (long) heads * headDim}));
            all.add(new SafetensorsWriter.Entry(p + "self_attn.q_norm.weight", DType.BF16, new long[] {headDim}));
            all.add(new SafetensorsWriter.Entry(p + "self_attn.k_norm.weight", DType.BF16, new long[] {headDim}));
            all.add(new SafetensorsWriter.Entry(p + "post_attention_layernorm.weight", DType.BF16, new long[] {hidden}));
            all.add(new SafetensorsWriter.Entry(p + "mlp.gate.weight", DType.BF16,
                    new long[] {defect.equals("router") && l == 1 ? experts - 1 : experts, hidden}));
            for (int e = 0; e < experts; e++) {
                if (defect.equals("missing") && l == 1 && e == experts - 1) continue;
                String x = p + "mlp.experts." + e + ".";
                long rows = defect.equals("unequal") && l == 1 && e == 2 ? moeIntermediate + 8 : moeIntermediate;
                all.add(new SafetensorsWriter.Entry(x + "gate_proj.weight", DType.BF16, new long[] {rows, hidden}));
                all.add(new SafetensorsWriter.Entry(x + "up_proj.weight", DType.BF16, new long[] {moeIntermediate, hidden}));
                all.add(new SafetensorsWriter.Entry(x + "down_proj.weight", DType.BF16, new long[] {hidden, moeIntermediate}));
            }
        }
        all.add(new SafetensorsWriter.Entry("model.norm.weight", DType.BF16, new long[] {hidden}));
        all.add(new SafetensorsWriter.Entry("lm_head.weight", DType.BF16, new long[] {vocab, hidden}));
        List<List<SafetensorsWriter.Entry>> shards = new ArrayList<>();
        List<SafetensorsWriter.Entry> cur = new ArrayList<>();
        long bytes = 0;
        for (SafetensorsWriter.Entry e : all) {
            if (!cur.isEmpty() && bytes + e.byteSize() > maxShardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                bytes = 0;
            }
            cur.add(e);
            bytes += e.byteSize();
        }
        shards.add(cur);
        Map<String, Object> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Map<String, String> meta = Map.of("format", "pt");
            byte[] header = SafetensorsWriter.headerBytes(meta, shards.get(i));
            try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(file).toFile(), "rw")) {
                raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
                raf.write(header);
                raf.setLength(SafetensorsWriter.fileSize(meta, shards.get(i)));
            }
            for (SafetensorsWriter.Entry e : shards.get(i)) {
                weightMap.put(e.name(), file);
                total += e.byteSize();
            }
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", total));
        index.put("weight_map", weightMap);
        Files.writeString(dir.resolve("model.safetensors.index.json"), json.writeValueAsString(index));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("Qwen3MoeForCausalLM"));
        c.put("model_type", "qwen3_moe");
        c.put("hidden_size", hidden);
        c.put("moe_intermediate_size", moeIntermediate);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("vocab_size", vocab);
        c.put("num_experts", experts);
        c.put("num_experts_per_tok", perToken);
        c.put("norm_topk_prob", true);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", 1e6);
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "bfloat16");
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(c));
    }

    long parameters() {
        long attn = (long) heads * headDim * hidden * 2 + (long) kvHeads * headDim * hidden * 2 + 2L * hidden + 2L * headDim;
        long moe = (long) experts * 3 * moeIntermediate * hidden + (long) experts * hidden;
        return 2L * vocab * hidden + hidden + (long) layers * (attn + moe);
    }
}
