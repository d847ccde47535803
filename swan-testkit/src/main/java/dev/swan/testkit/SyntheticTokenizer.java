package dev.swan.testkit;

import dev.swan.toolkit.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Small but well-formed Hugging Face {@code tokenizer.json} documents for synthetic models: a
 * SentencePiece-style BPE with byte fallback (the Llama 2 / stories260K shape) and a byte-level BPE
 * (the Qwen / Llama 3 shape). Vocabularies are built from letters so every merge yields a real token.
 */
final class SyntheticTokenizer {
    private static final String LETTERS = "etaoinshrdlucmfwypvbgkjqxzETAOINSHRDLUCMFWYPVBGKJQXZ0123456789.,!?'";

    private SyntheticTokenizer() {
    }

    /** SentencePiece-style: {@code <unk> <s> </s>}, 256 byte tokens, then ▁-prefixed pieces with merges. */
    static Map<String, Object> sentencePiece(int vocabSize) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", 0L);
        vocab.put("<s>", 1L);
        vocab.put("</s>", 2L);
        for (int b = 0; b < 256; b++) vocab.put(String.format("<0x%02X>", b), (long) vocab.size());
        List<String> merges = new ArrayList<>();
        List<String> singles = new ArrayList<>();
        singles.add("\u2581");
        for (char c : LETTERS.toCharArray()) singles.add(String.valueOf(c));
        grow(vocab, merges, singles, vocabSize, false);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", "<unk>");
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", merges);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", List.of(added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")));
        root.put("normalizer", Json.object("type", "Sequence", "normalizers", List.of(
                Json.object("type", "Prepend", "prepend", "\u2581"),
                Json.object("type", "Replace", "pattern", Json.object("String", " "), "content", "\u2581"))));
        root.put("pre_tokenizer", null);
        root.put("post_processor", Json.object("type", "TemplateProcessing",
                "single", List.of(Json.object("SpecialToken", Json.object("id", "<s>", "type_id", 0L)),
                        Json.object("Sequence", Json.object("id", "A", "type_id", 0L))),
                "pair", List.of(Json.object("SpecialToken", Json.object("id", "<s>", "type_id", 0L)),
                        Json.object("Sequence", Json.object("id", "A", "type_id", 0L))),
                "special_tokens", Json.object("<s>", Json.object("id", "<s>", "ids", List.of(1L), "tokens", List.of("<s>")))));
        root.put("decoder", Json.object("type", "Sequence", "decoders", List.of(
                Json.object("type", "Replace", "pattern", Json.object("String", "\u2581"), "content", " "),
                Json.object("type", "ByteFallback"), Json.object("type", "Fuse"),
                Json.object("type", "Strip", "content", " ", "start", 1L, "stop", 0L))));
        root.put("model", model);
        return root;
    }

    /** Byte-level BPE (GPT-2 byte-to-unicode alphabet), Qwen2 pre-tokenizer, three special tokens at the end. */
    static Map<String, Object> byteLevel(int tokenizerSize) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        List<String> alphabet = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf((char) byteToUnicode(b));
            vocab.put(s, (long) vocab.size());
            alphabet.add(s);
        }
        List<String> merges = new ArrayList<>();
        List<String> singles = new ArrayList<>();
        singles.add("\u0120"); // Ġ, the space byte
        for (char c : LETTERS.toCharArray()) singles.add(String.valueOf(c));
        grow(vocab, merges, singles, tokenizerSize - 3, true);
        int base = vocab.size();
        List<Object> addedTokens = List.of(added(base, "<|endoftext|>"), added(base + 1, "<|im_start|>"),
                added(base + 2, "<|im_end|>"));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        List<Object> pairMerges = new ArrayList<>();
        for (String m : merges) pairMerges.add(List.of(m.substring(0, m.indexOf(' ')), m.substring(m.indexOf(' ') + 1)));
        model.put("merges", pairMerges);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", addedTokens);
        root.put("normalizer", Json.object("type", "NFC"));
        root.put("pre_tokenizer", Json.object("type", "Sequence", "pretokenizers", List.of(
                Json.object("type", "Split", "pattern", Json.object("Regex",
                        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
                        "behavior", "Isolated", "invert", false),
                Json.object("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false, "use_regex", false))));
        root.put("post_processor", Json.object("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false,
                "use_regex", false));
        root.put("decoder", Json.object("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false,
                "use_regex", false));
        root.put("model", model);
        return root;
    }

    /** Adds pieces made of known pieces (with their merges) until the vocabulary has {@code size} entries. */
    private static void grow(Map<String, Object> vocab, List<String> merges, List<String> singles, int size,
                             boolean singlesKnown) {
        List<String> pieces = new ArrayList<>();
        for (String s : singles) {
            if (vocab.size() >= size) return;
            if (!vocab.containsKey(s)) {
                if (singlesKnown) continue;
                vocab.put(s, (long) vocab.size());
            }
            pieces.add(s);
        }
        Set<String> seen = new LinkedHashSet<>(pieces);
        List<String> frontier = new ArrayList<>(pieces);
        while (vocab.size() < size) {
            List<String> next = new ArrayList<>();
            outer:
            for (String left : frontier) {
                for (String right : singles.subList(1, singles.size())) {
                    if (vocab.size() >= size) break outer;
                    String piece = left + right;
                    if (seen.add(piece) && !vocab.containsKey(piece)) {
                        vocab.put(piece, (long) vocab.size());
                        merges.add(left + " " + right);
                        next.add(piece);
                    }
                }
            }
            if (next.isEmpty()) throw new IllegalStateException("cannot grow vocabulary to " + size);
            frontier = next;
        }
    }

    private static Map<String, Object> added(long id, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("content", content);
        m.put("single_word", false);
        m.put("lstrip", false);
        m.put("rstrip", false);
        m.put("normalized", false);
        m.put("special", true);
        return m;
    }

    /** GPT-2's reversible byte-to-unicode map. */
    static int byteToUnicode(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) return b;
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) n++;
        }
        return 256 + n;
    }
}
