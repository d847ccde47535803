package dev.swan.format.gguf;

import dev.swan.api.ModelFormatException;
import dev.swan.api.VerifyReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Re-reads a GGUF file and checks what ggml and llama.cpp check: layout (via {@link GgufReader}), the
 * architecture keys with their exact types, the token list against the embedding, the exact tensor set
 * and shapes llama.cpp creates, F32 norms, and finite values in every block. With the source model, the
 * dequantization error of each tensor (q/k rows un-permuted).
 */
final class GgufVerifier {
    private GgufVerifier() {
    }

    static VerifyReport verify(Path file, Optional<ModelDir> source) throws IOException {
        List<String> problems = new ArrayList<>();
        List<VerifyReport.Check> checks = new ArrayList<>();
        GgufReader r;
        try {
            r = GgufReader.open(file);
        } catch (ModelFormatException e) {
            return new VerifyReport(file, List.of(e.getMessage()), List.of());
        }
        try (r) {
            Map<String, GgufValue> kv = r.metadata();
            String arch = str(kv, "general.architecture", problems);
            if (arch != null && !List.of("llama", "qwen2", "qwen3", "qwen2moe", "qwen3moe").contains(arch)) {
                problems.add("general.architecture '" + arch + "' is not one swan writes");
            }
            Map<String, GgufReader.Info> byName = new LinkedHashMap<>();
            for (GgufReader.Info t : r.tensors()) byName.put(t.name(), t);
            if (arch != null) checkModel(arch, kv, byName, problems);
            Map<String, List<String>> hfByGguf = new HashMap<>();
            Map<String, Integer> permute = new HashMap<>();
            if (source.isPresent()) {
                GgufArch a = GgufArch.of(source.get().config()).orElse(null);
                if (a != null) {
                    for (TensorInfo t : source.get().tensors()) {
                        a.map(t.name()).ifPresent(g -> {
                            hfByGguf.computeIfAbsent(g, k -> new ArrayList<>()).add(t.name()); // experts in file order
                            permute.put(g, a.permuteHeads(t.name(), source.get().config()));
                        });
                    }
                }
            }
            for (GgufReader.Info t : r.tensors()) {
                checks.add(check(r, t, source, hfByGguf.get(t.name()), permute.getOrDefault(t.name(), 0), problems));
            }
        }
        return new VerifyReport(file, problems, checks);
    }

    private static void checkModel(String arch, Map<String, GgufValue> kv, Map<String, GgufReader.Info> t,
                                   List<String> problems) {
        long layers = u32(kv, arch + ".block_count", problems);
        long context = u32(kv, arch + ".context_length", problems);
        if (kv.containsKey(arch + ".context_length") && (context < 1 || context > Integer.MAX_VALUE)) {
            problems.add(arch + ".context_length " + context + " is not a context length (1 to 2^31-1 tokens)");
        }
        if (kv.containsKey("general.file_type")) {
            long ft = u32(kv, "general.file_type", problems);
            // llama_ftype: the types below 64, and LLAMA_FTYPE_GUESSED (1024)
            if (ft >= 64 && ft != 1024) problems.add("general.file_type " + ft + " is no llama_ftype llama.cpp knows");
        }
        long h = u32(kv, arch + ".embedding_length", problems);
        long f = u32(kv, arch + ".feed_forward_length", problems);
        long heads = u32(kv, arch + ".attention.head_count", problems);
        long kvHeads = kv.containsKey(arch + ".attention.head_count_kv") ? u32(kv, arch + ".attention.head_count_kv", problems) : heads;
        f32(kv, arch + ".attention.layer_norm_rms_epsilon", problems);
        if (kv.containsKey(arch + ".rope.freq_base")) f32(kv, arch + ".rope.freq_base", problems);
        if (layers > t.size()) {
            // a header can claim any count: never size a loop by it unchecked
            problems.add(arch + ".block_count " + layers + " but the file holds only " + t.size() + " tensors");
            layers = 0;
        }
        long hd = kv.containsKey(arch + ".attention.key_length") ? u32(kv, arch + ".attention.key_length", problems)
                : heads > 0 ? h / heads : 0;
        if (arch.equals("llama") && kv.containsKey(arch + ".rope.dimension_count")
                && u32(kv, arch + ".rope.dimension_count", problems) != hd) {
            problems.add(arch + ".rope.dimension_count differs from the head size " + hd + " (llama.cpp: invalid n_rot)");
        }
        if (kv.containsKey(arch + ".attention.value_length") && u32(kv, arch + ".attention.value_length", problems) != hd) {
            problems.add(arch + ".attention.value_length differs from the head size " + hd + " (llama.cpp builds V heads of this size)");
        }
        long experts = kv.containsKey(arch + ".expert_count") ? u32(kv, arch + ".expert_count", problems) : 0;
        if (arch.endsWith("moe") && experts == 0) problems.add(arch + ".expert_count missing (a mixture of experts needs it)");
        if (experts > 0) {
            long used = kv.containsKey(arch + ".expert_used_count") ? u32(kv, arch + ".expert_used_count", problems) : 0;
            if (used < 1 || used > experts) problems.add(arch + ".expert_used_count " + used + " is not between 1 and " + experts);
        }
        long fe = kv.containsKey(arch + ".expert_feed_forward_length") ? u32(kv, arch + ".expert_feed_forward_length", problems) : f;
        long fs = kv.containsKey(arch + ".expert_shared_feed_forward_length")
                ? u32(kv, arch + ".expert_shared_feed_forward_length", problems) : f;
        if (arch.startsWith("qwen3") && !kv.containsKey(arch + ".attention.key_length")) {
            problems.add(arch + ".attention.key_length missing (qwen3 needs head_dim)");
        }
        GgufValue tokens = kv.get("tokenizer.ggml.tokens");
        long nVocab = 0;
        if (tokens == null || tokens.type() != GgufValue.ARRAY || tokens.elementType() != GgufValue.STRING) {
            problems.add("tokenizer.ggml.tokens missing or not an array of strings");
        } else {
            nVocab = tokens.list().size();
            @SuppressWarnings("unchecked")
            int[] dup = GgufVocabulary.firstDuplicate((List<String>) tokens.list());
            if (dup != null) {
                problems.add("tokenizer.ggml.tokens has token " + dup[0] + " and " + dup[1] + " with the same text '"
                        + GgufVocabulary.loadedText((String) tokens.list().get(dup[1]), dup[1]) + "' (llama.cpp refuses to load it)");
            }
        }
        if (kv.containsKey(arch + ".vocab_size") && u32(kv, arch + ".vocab_size", problems) != nVocab) {
            problems.add(arch + ".vocab_size " + kv.get(arch + ".vocab_size").value() + " but tokenizer.ggml.tokens holds "
                    + nVocab + " tokens");
        }
        String model = str(kv, "tokenizer.ggml.model", problems);
        GgufValue types = kv.get("tokenizer.ggml.token_type");
        if (types != null && (types.elementType() != GgufValue.INT32 || types.list().size() != nVocab)) {
            problems.add("tokenizer.ggml.token_type must be INT32 with one entry per token");
        }
        GgufValue scores = kv.get("tokenizer.ggml.scores");
        if (scores != null && (scores.elementType() != GgufValue.FLOAT32 || scores.list().size() != nVocab)) {
            problems.add("tokenizer.ggml.scores must be FLOAT32 with one entry per token");
        }
        if ("gpt2".equals(model)) {
            if (!kv.containsKey("tokenizer.ggml.merges")) problems.add("tokenizer.ggml.merges missing (gpt2 needs merges)");
            String pre = str(kv, "tokenizer.ggml.pre", problems);
            if (pre != null && !List.of("qwen2", "llama-bpe", "llama3", "tekken", "default").contains(pre)) {
                problems.add("tokenizer.ggml.pre '" + pre + "' is unknown to llama.cpp");
            }
        }
        for (String k : List.of("bos", "eos", "unknown", "seperator", "padding")) {
            GgufValue v = kv.get("tokenizer.ggml." + k + "_token_id");
            if (v != null && (v.type() != GgufValue.UINT32 || (Long) v.value() >= nVocab)) {
                problems.add("tokenizer.ggml." + k + "_token_id must be a UINT32 below the vocabulary size");
            }
        }
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("token_embd.weight", new long[] {h, nVocab});
        expected.put("output_norm.weight", new long[] {h});
        for (long l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            expected.put(b + "attn_norm.weight", new long[] {h});
            expected.put(b + "attn_q.weight", new long[] {h, heads * hd});
            expected.put(b + "attn_k.weight", new long[] {h, kvHeads * hd});
            expected.put(b + "attn_v.weight", new long[] {h, kvHeads * hd});
            expected.put(b + "attn_output.weight", new long[] {heads * hd, h});
            expected.put(b + "ffn_norm.weight", new long[] {h});
            if (experts > 0) {
                expected.put(b + "ffn_gate_inp.weight", new long[] {h, experts});
                expected.put(b + "ffn_gate_exps.weight", new long[] {h, fe, experts});
                expected.put(b + "ffn_up_exps.weight", new long[] {h, fe, experts});
                expected.put(b + "ffn_down_exps.weight", new long[] {fe, h, experts});
                if (arch.equals("qwen2moe")) {
                    expected.put(b + "ffn_gate_inp_shexp.weight", new long[] {h});
                    expected.put(b + "ffn_gate_shexp.weight", new long[] {h, fs});
                    expected.put(b + "ffn_up_shexp.weight", new long[] {h, fs});
                    expected.put(b + "ffn_down_shexp.weight", new long[] {fs, h});
                }
            } else {
                expected.put(b + "ffn_gate.weight", new long[] {h, f});
                expected.put(b + "ffn_up.weight", new long[] {h, f});
                expected.put(b + "ffn_down.weight", new long[] {f, h});
            }
            if (arch.equals("qwen2") || arch.equals("qwen2moe")) {
                expected.put(b + "attn_q.bias", new long[] {heads * hd});
                expected.put(b + "attn_k.bias", new long[] {kvHeads * hd});
                expected.put(b + "attn_v.bias", new long[] {kvHeads * hd});
            }
            if (arch.equals("qwen3") || arch.equals("qwen3moe")) {
                expected.put(b + "attn_q_norm.weight", new long[] {hd});
                expected.put(b + "attn_k_norm.weight", new long[] {hd});
            }
        }
        Set<String> optional = new HashSet<>(List.of("output.weight", "rope_freqs.weight"));
        for (Map.Entry<String, GgufReader.Info> e : t.entrySet()) {
            String name = e.getKey();
            long[] want = expected.get(name);
            if (name.equals("output.weight")) want = new long[] {h, nVocab};
            if (name.matches("blk\\.\\d+\\.attn_[qkv]\\.bias") && arch.equals("llama")) continue;
            if (want == null && !optional.contains(name)) {
                problems.add(name + ": llama.cpp's " + arch + " has no such tensor (wrong number of tensors)");
            } else if (want != null && !Arrays.equals(trim(e.getValue().ne()), trim(want))) {
                problems.add(name + ": shape " + Arrays.toString(e.getValue().ne()) + " but llama.cpp expects "
                        + Arrays.toString(want));
            }
            if ((name.endsWith("_norm.weight") || e.getValue().ne().length == 1) && e.getValue().type() != GgmlType.F32) {
                problems.add(name + ": vectors and norms must be F32, found " + e.getValue().type());
            }
        }
        for (String name : expected.keySet()) if (!t.containsKey(name)) problems.add(name + ": missing");
    }

    private static long[] trim(long[] ne) {
        int n = ne.length;
        while (n > 1 && ne[n - 1] == 1) n--;
        return Arrays.copyOf(ne, n);
    }

    /**
     * Decodes every row and, with a source, compares it with the weights it was made from: one source
     * tensor, or the experts of a stack in order ({@code hfNames} sorted by expert), rows concatenated.
     */
    private static VerifyReport.Check check(GgufReader r, GgufReader.Info t, Optional<ModelDir> source, List<String> hfNames,
                                            int heads, List<String> problems) throws IOException {
        int cols = (int) t.ne()[0];
        long rows = t.rows();
        float[] out = new float[cols];
        float[] src = new float[cols];
        byte[] scratch = new byte[(int) t.type().rowBytes(cols)];
        List<TensorData> parts = new ArrayList<>();
        if (source.isPresent() && hfNames != null) {
            List<String> sorted = new ArrayList<>(hfNames);
            sorted.sort(java.util.Comparator.comparingInt(n -> dev.swan.toolkit.model.ExpertWeight.parse(n)
                    .map(dev.swan.toolkit.model.ExpertWeight::expert).orElse(0)));
            for (String n : sorted) parts.add(source.get().data(n));
        }
        TensorData data = parts.isEmpty() ? null : parts.get(0);
        if (source.isPresent() && hfNames == null && !t.name().equals("rope_freqs.weight")) {
            problems.add(t.name() + ": no tensor of the source maps to it: --source is not the model this output was made from");
        }
        long partRows = data == null ? 0 : data.info().numel() / data.info().cols();
        if (data != null) {
            long[] want = data.info().shape().length == 1 ? new long[] {data.info().cols()}
                    : new long[] {data.info().cols(), partRows * parts.size()};
            long[] have = t.ne().length == 3 ? new long[] {t.ne()[0], t.ne()[1] * t.ne()[2]} : trim(t.ne());
            if (data.info().numel() == data.info().cols() && t.ne().length == 1) want = new long[] {data.info().cols()};
            if (!Arrays.equals(trim(have), trim(want))) {
                problems.add(t.name() + ": shape " + Arrays.toString(trim(t.ne())) + " but the source's " + hfNames.get(0) + " is "
                        + Arrays.toString(data.info().shape()) + (parts.size() > 1 ? " × " + parts.size() + " experts" : "")
                        + ": --source is not the model this output was made from");
                return new VerifyReport.Check(t.name(), t.type().name(), Double.NaN, Double.NaN);
            }
        }
        double err = 0;
        double energy = 0;
        double max = 0;
        for (long row = 0; row < rows; row++) {
            r.readRow(t, row, out, scratch);
            for (int k = 0; k < cols; k++) {
                if (!Float.isFinite(out[k])) {
                    problems.add(t.name() + ": NaN or Inf in row " + row + " (bad scale or data)");
                    return new VerifyReport.Check(t.name(), t.type().name(), Double.NaN, Double.NaN);
                }
            }
            if (data != null) {
                if (parts.size() > 1) parts.get((int) (row / partRows)).readRow(row % partRows, src);
                else data.readRow(heads > 0 ? GgufArch.sourceRow(row, rows, heads) : row, src);
                for (int k = 0; k < cols; k++) {
                    double d = (double) out[k] - src[k];
                    err += d * d;
                    energy += (double) src[k] * src[k];
                    max = Math.max(max, Math.abs(d));
                }
            }
        }
        if (data == null) return new VerifyReport.Check(t.name(), t.type().name(), Double.NaN, Double.NaN);
        double nrmse = energy > 0 ? Math.sqrt(err / energy) : err > 0 ? Double.POSITIVE_INFINITY : 0;
        boolean quantized = t.type() != GgmlType.F32 && t.type() != GgmlType.F16 && t.type() != GgmlType.BF16;
        if (nrmse > VerifyReport.sourceErrorBound(quantized)) problems.add(VerifyReport.sourceMismatch(t.name(), t.type().name(), nrmse));
        return new VerifyReport.Check(t.name(), t.type().name(), nrmse, max);
    }

    private static String str(Map<String, GgufValue> kv, String key, List<String> problems) {
        GgufValue v = kv.get(key);
        if (v == null || v.type() != GgufValue.STRING) {
            problems.add(key + ": missing or not a STRING");
            return null;
        }
        return (String) v.value();
    }

    private static long u32(Map<String, GgufValue> kv, String key, List<String> problems) {
        GgufValue v = kv.get(key);
        if (v == null || v.type() != GgufValue.UINT32) {
            problems.add(key + ": missing or not a UINT32 (llama.cpp checks the type exactly)");
            return 0;
        }
        return (Long) v.value();
    }

    private static void f32(Map<String, GgufValue> kv, String key, List<String> problems) {
        GgufValue v = kv.get(key);
        if (v == null || v.type() != GgufValue.FLOAT32) {
            problems.add(key + ": missing or not a FLOAT32");
        } else if (!(((Number) v.value()).doubleValue() > 0) || !Double.isFinite(((Number) v.value()).doubleValue())) {
            problems.add(key + ": " + v.value() + " must be a finite positive number (llama.cpp divides by it or takes its power)");
        }
    }
}
