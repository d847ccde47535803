package dev.swan.format.gguf;

import dev.swan.toolkit.json.JsonWriter;
import dev.swan.toolkit.model.SentencePieceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face tokenizer files a GGUF's vocabulary stands for, so an MLX output made from a GGUF runs in
 * mlx_lm (transformers loads them): a SentencePiece vocabulary ({@code llama}) as {@code tokenizer.model},
 * a byte-level BPE ({@code gpt2}) as {@code tokenizer.json} with the pre-tokenizer llama.cpp's {@code pre} name
 * stands for, and {@code tokenizer_config.json} with the special tokens and the chat template. A vocabulary
 * it cannot express gets no files (a GGUF output copies the keys themselves; an MLX output is refused).
 */
final class GgufTokenizerFiles {
    private static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private GgufTokenizerFiles() {
    }

    static void write(Map<String, GgufValue> kv, Path gguf, Path dir) throws IOException {
        if (!(value(kv, "tokenizer.ggml.model") instanceof String model)
                || !(value(kv, "tokenizer.ggml.tokens") instanceof List<?> tokens)) {
            return;
        }
        List<Integer> types = ints(value(kv, "tokenizer.ggml.token_type"));
        boolean spm = model.equals("llama");
        boolean written = switch (model) {
            case "llama" -> sentencePiece(kv, tokens, types, dir);
            case "gpt2" -> byteLevel(kv, tokens, types, dir);
            default -> false;
        };
        if (!written) return;
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("tokenizer_class", spm ? "LlamaTokenizerFast" : "PreTrainedTokenizerFast");
        cfg.put("add_bos_token", bool(kv, "tokenizer.ggml.add_bos_token", spm));
        cfg.put("add_eos_token", bool(kv, "tokenizer.ggml.add_eos_token", false));
        special(kv, tokens, "bos", cfg);
        special(kv, tokens, "eos", cfg);
        special(kv, tokens, "unknown", cfg);
        special(kv, tokens, "padding", cfg);
        if (spm) cfg.put("legacy", false);
        cfg.put("clean_up_tokenization_spaces", false);
        if (value(kv, "tokenizer.chat_template") instanceof String t) cfg.put("chat_template", t);
        Files.writeString(dir.resolve("tokenizer_config.json"), JsonWriter.pretty(2, false).write(cfg));
    }

    private static boolean sentencePiece(Map<String, GgufValue> kv, List<?> tokens, List<Integer> types, Path dir) throws IOException {
        List<?> scores = value(kv, "tokenizer.ggml.scores") instanceof List<?> s ? s : List.of();
        List<SentencePieceModel.Piece> pieces = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            float score = i < scores.size() ? ((Number) scores.get(i)).floatValue() : 0f;
            pieces.add(new SentencePieceModel.Piece(String.valueOf(tokens.get(i)), score, i < types.size() ? types.get(i) : 1));
        }
        SentencePieceModel m = new SentencePieceModel(pieces, bool(kv, "tokenizer.ggml.add_space_prefix", true));
        Files.write(dir.resolve("tokenizer.model"), m.toBytes(id(kv, "unknown"), id(kv, "bos"), id(kv, "eos"), id(kv, "padding")));
        return true;
    }

    private static boolean byteLevel(Map<String, GgufValue> kv, List<?> tokens, List<Integer> types, Path dir) throws IOException {
        String pre = value(kv, "tokenizer.ggml.pre") instanceof String p ? p : "default";
        Map<String, Object> preTokenizer = switch (pre) {
            case "qwen2" -> split(QWEN2);
            case "llama-bpe", "llama3" -> split(LLAMA3);
            case "default", "gpt-2" -> byteLevelStep(true);
            default -> null;
        };
        if (preTokenizer == null || !(value(kv, "tokenizer.ggml.merges") instanceof List<?> merges)) return false;
        Map<String, Object> vocab = new LinkedHashMap<>();
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = String.valueOf(tokens.get(i));
            int type = i < types.size() ? types.get(i) : 1;
            if (type == CONTROL || type == USER_DEFINED) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("id", i);
                a.put("content", t);
                a.put("single_word", false);
                a.put("lstrip", false);
                a.put("rstrip", false);
                a.put("normalized", type != CONTROL);
                a.put("special", type == CONTROL);
                added.add(a);
            }
            vocab.put(t, i);
        }
        Map<String, Object> bpe = new LinkedHashMap<>();
        bpe.put("type", "BPE");
        bpe.put("dropout", null);
        bpe.put("unk_token", null);
        bpe.put("continuing_subword_prefix", "");
        bpe.put("end_of_word_suffix", "");
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        bpe.put("ignore_merges", pre.startsWith("llama"));
        bpe.put("vocab", vocab);
        bpe.put("merges", merges.stream().map(String::valueOf).toList());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("version", "1.0");
        t.put("truncation", null);
        t.put("padding", null);
        t.put("added_tokens", added);
        t.put("normalizer", pre.equals("qwen2") ? Map.of("type", "NFC") : null);
        t.put("pre_tokenizer", preTokenizer);
        Map<String, Object> post = byteLevelStep(false);
        t.put("post_processor", post);
        t.put("decoder", byteLevelStep(true));
        t.put("model", bpe);
        Files.writeString(dir.resolve("tokenizer.json"), JsonWriter.pretty(2, false).write(t));
        return true;
    }

    private static Map<String, Object> split(String regex) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "Split");
        s.put("pattern", Map.of("Regex", regex));
        s.put("behavior", "Isolated");
        s.put("invert", false);
        return Map.of("type", "Sequence", "pretokenizers", List.of(s, byteLevelStep(false)));
    }

    private static Map<String, Object> byteLevelStep(boolean useRegex) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "ByteLevel");
        b.put("add_prefix_space", false);
        b.put("trim_offsets", false);
        b.put("use_regex", useRegex);
        return b;
    }

    private static void special(Map<String, GgufValue> kv, List<?> tokens, String which, Map<String, Object> cfg) {
        int id = id(kv, which);
        if (id >= 0 && id < tokens.size()) {
            String key = switch (which) {
                case "unknown" -> "unk_token";
                case "padding" -> "pad_token";
                default -> which + "_token";
            };
            cfg.put(key, String.valueOf(tokens.get(id)));
        }
    }

    /** A special token's id, -1 when absent (llama.cpp writes absent ones as 2^32 − 1). */
    private static int id(Map<String, GgufValue> kv, String which) {
        Object v = value(kv, "tokenizer.ggml." + which + "_token_id");
        return v instanceof Long l && l >= 0 && l < Integer.MAX_VALUE ? l.intValue() : -1;
    }

    private static List<Integer> ints(Object o) {
        List<Integer> out = new ArrayList<>();
        if (o instanceof List<?> l) for (Object x : l) out.add(((Number) x).intValue());
        return out;
    }

    private static boolean bool(Map<String, GgufValue> kv, String key, boolean otherwise) {
        return value(kv, key) instanceof Boolean b ? b : otherwise;
    }

    private static Object value(Map<String, GgufValue> kv, String key) {
        GgufValue v = kv.get(key);
        return v == null ? null : v.value();
    }
}
