package dev.swan.format.gguf;

import dev.swan.api.OutputException;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import dev.swan.api.model.ModelDir;
import dev.swan.toolkit.model.SentencePieceModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokenizer metadata for llama.cpp (llama.cpp's gguf-py constants and its model loader), from the model directory: SentencePiece
 * ({@code tokenizer.model}, or a {@code tokenizer.json} BPE with byte fallback, as stories260K has) as
 * model {@code llama}; byte-level BPE {@code tokenizer.json} as model {@code gpt2} with its {@code pre}
 * recognised from the pre-tokenizer regex. Token list padded to the embedding rows with unique
 * {@code [PADn]} tokens. Special ids, add_bos/add_eos and the chat template come along. Anything else is
 * refused before a byte is written.
 */
final class GgufTokenizer {
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    private GgufTokenizer() {
    }

    /** The tokenizer KVs for a vocabulary of {@code nVocab} rows (the embedding's). */
    /**
     * The tokenizer metadata; tokenizer files whose JSON has another structure than the tokenizers library
     * writes (a list where a map belongs, null where a string does) are refused naming the folder.
     */
    static Map<String, GgufValue> build(ModelDir model, GgufArch arch, int nVocab) throws IOException {
        try {
            return buildChecked(model, arch, nVocab);
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException | NumberFormatException e) {
            throw new OutputException(null, model.path() + ": tokenizer files (tokenizer.json, tokenizer_config.json) "
                    + "hold a value of the wrong type: not as the tokenizers library writes them (re-save the tokenizer)");
        }
    }

    private static Map<String, GgufValue> buildChecked(ModelDir model, GgufArch arch, int nVocab) throws IOException {
        Path dir = model.path();
        // the same rule as every output: only the model's own tokenizer files (a link out of the folder is refused)
        model.tokenizerFiles();
        Map<String, Object> cfg = readJson(dir.resolve("tokenizer_config.json"), false);
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        List<String> tokens;
        Map<String, Integer> byText = new HashMap<>();
        if (Files.exists(dir.resolve("tokenizer.model"))) {
            tokens = sentencePiece(SentencePieceModel.read(dir.resolve("tokenizer.model")), nVocab, cfg, kv, byText);
        } else {
            Path tj = dir.resolve("tokenizer.json");
            if (!Files.exists(tj)) {
                throw new OutputException(null, dir + ": no tokenizer.json or tokenizer.model: llama.cpp needs the "
                        + "vocabulary in the GGUF (copy the tokenizer files into the model folder)");
            }
            Map<String, Object> t = readJson(tj, true);
            Object m = t.get("model");
            if (!(m instanceof Map) || !"BPE".equals(((Map<?, ?>) m).get("type"))) {
                throw new OutputException(null, tj + ": tokenizer model '" + (m instanceof Map ? ((Map<?, ?>) m).get("type") : m)
                        + "' is not supported for GGUF (supported: SentencePiece, BPE)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> bpe = (Map<String, Object>) m;
            if (Boolean.TRUE.equals(bpe.get("byte_fallback"))) {
                tokens = bpeByteFallback(t, bpe, nVocab, cfg, kv, byText, tj);
            } else {
                tokens = byteLevel(t, bpe, arch, nVocab, kv, byText, tj);
            }
        }
        int[] dup = GgufVocabulary.firstDuplicate(tokens);
        if (dup != null) {
            String from = Files.exists(dir.resolve("tokenizer.model")) ? "tokenizer.model" : "tokenizer.json";
            throw new OutputException(null, dir.resolve(from) + ": tokens " + dup[0] + " and " + dup[1] + " have the same text '"
                    + GgufVocabulary.loadedText(tokens.get(dup[1]), dup[1]) + "', which llama.cpp refuses to load "
                    + "(a damaged tokenizer file: download it again)");
        }
        kv.put("tokenizer.ggml.tokens", GgufValue.strings(tokens));
        specials(model, cfg, byText, tokens.size(), kv);
        return kv;
    }

    private static List<String> sentencePiece(SentencePieceModel spm, int nVocab, Map<String, Object> cfg,
                                              Map<String, GgufValue> kv, Map<String, Integer> byText) {
        if (spm.pieces().size() > nVocab) {
            throw new OutputException(null, "tokenizer.model has " + spm.pieces().size() + " pieces but the embedding "
                    + "has only " + nVocab + " rows");
        }
        List<String> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < nVocab; i++) {
            tokens.add("[PAD" + i + "]");
            scores.add(-10000f);
            types.add(UNUSED);
        }
        for (int i = 0; i < spm.pieces().size(); i++) {
            SentencePieceModel.Piece p = spm.pieces().get(i);
            tokens.set(i, p.text());
            scores.set(i, p.score());
            int t = p.type();
            types.set(i, t == 2 ? UNKNOWN : t == 3 ? CONTROL : t == 5 ? UNUSED : t == 6 ? BYTE : t == 4 ? USER_DEFINED : NORMAL);
            byText.put(p.text(), i);
        }
        addedTokensDecoder(cfg, tokens, scores, types, byText);
        putSentencePiece(kv, scores, types, cfg, spm.addDummyPrefix());
        return tokens;
    }

    /**
     * A SentencePiece-style BPE in tokenizer.json (byte fallback): model {@code llama}. Scores follow the
     * merge order (the piece made by merge r scores −r; pieces no merge makes score below all of them),
     * so llama.cpp's score-driven merging reproduces the BPE order.
     */
    @SuppressWarnings("unchecked")
    private static List<String> bpeByteFallback(Map<String, Object> t, Map<String, Object> bpe, int nVocab,
                                                Map<String, Object> cfg, Map<String, GgufValue> kv,
                                                Map<String, Integer> byText, Path file) {
        Map<String, Object> vocab = (Map<String, Object>) bpe.get("vocab");
        List<String> merges = merges(bpe.get("merges"));
        Map<String, Integer> mergeRank = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) mergeRank.putIfAbsent(merges.get(r).replace(" ", ""), r);
        String[] text = vocabById(vocab, t, nVocab, file);
        Set<Integer> special = new HashSet<>();
        for (Object a : (List<Object>) t.getOrDefault("added_tokens", List.of())) {
            Map<String, Object> at = (Map<String, Object>) a;
            if (Boolean.TRUE.equals(at.get("special"))) special.add(((Number) at.get("id")).intValue());
        }
        Object unk = bpe.get("unk_token");
        List<String> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < nVocab; i++) {
            String s = text[i];
            if (s == null) {
                tokens.add("[PAD" + i + "]");
                scores.add(-10000f);
                types.add(UNUSED);
                continue;
            }
            tokens.add(s);
            byText.put(s, i);
            if (s.equals(unk)) {
                types.add(UNKNOWN);
                scores.add(0f);
            } else if (special.contains(i)) {
                types.add(CONTROL);
                scores.add(0f);
            } else if (s.matches("<0x[0-9A-Fa-f]{2}>")) {
                types.add(BYTE);
                scores.add(0f);
            } else {
                types.add(NORMAL);
                Integer r = mergeRank.get(s);
                scores.add(r != null ? -(float) r : s.codePointCount(0, s.length()) == 1 ? 0f : -(float) (merges.size() + i));
            }
        }
        putSentencePiece(kv, scores, types, cfg, true);
        return tokens;
    }

    /** The keys of a SentencePiece-style vocabulary (model {@code llama}). */
    private static void putSentencePiece(Map<String, GgufValue> kv, List<Float> scores, List<Integer> types,
                                         Map<String, Object> cfg, boolean addDummyPrefix) {
        kv.put("tokenizer.ggml.model", GgufValue.string("llama"));
        kv.put("tokenizer.ggml.pre", GgufValue.string("default"));
        kv.put("tokenizer.ggml.scores", GgufValue.f32s(scores));
        kv.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        if (cfg.get("add_prefix_space") instanceof Boolean) {
            kv.put("tokenizer.ggml.add_space_prefix", GgufValue.bool((Boolean) cfg.get("add_prefix_space")));
        } else if (!addDummyPrefix) {
            kv.put("tokenizer.ggml.add_space_prefix", GgufValue.bool(false));
        }
    }

    /** Byte-level BPE: model {@code gpt2}, merges, {@code pre} from the pre-tokenizer regex. */
    @SuppressWarnings("unchecked")
    private static List<String> byteLevel(Map<String, Object> t, Map<String, Object> bpe, GgufArch arch, int nVocab,
                                          Map<String, GgufValue> kv, Map<String, Integer> byText, Path file) {
        String pre = preTokenizer(t.get("pre_tokenizer"), arch, file);
        Map<String, Object> vocab = (Map<String, Object>) bpe.get("vocab");
        String[] text = vocabById(vocab, t, nVocab, file);
        Map<Integer, Map<String, Object>> added = new HashMap<>();
        for (Object a : (List<Object>) t.getOrDefault("added_tokens", List.of())) {
            Map<String, Object> at = (Map<String, Object>) a;
            added.put(((Number) at.get("id")).intValue(), at);
        }
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < nVocab; i++) {
            String s = text[i];
            if (s == null) {
                tokens.add("[PAD" + i + "]");
                types.add(UNUSED);
                continue;
            }
            Map<String, Object> at = added.get(i);
            if (at != null) {
                boolean special = Boolean.TRUE.equals(at.get("special")) || looksSpecial(s);
                if (!special) s = s.replace('\u2581', ' ');
                types.add(special ? CONTROL : USER_DEFINED);
            } else {
                types.add(NORMAL);
            }
            tokens.add(s);
            byText.put(s, i);
        }
        List<String> merges = merges(bpe.get("merges"));
        if (merges.isEmpty()) throw new OutputException(null, file + ": BPE tokenizer without merges (llama.cpp needs them)");
        kv.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        kv.put("tokenizer.ggml.pre", GgufValue.string(pre));
        kv.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        kv.put("tokenizer.ggml.merges", GgufValue.strings(merges));
        return tokens;
    }

    /** Maps the pre-tokenizer's split regex to llama.cpp's pre-tokenizer name. */
    @SuppressWarnings("unchecked")
    static String preTokenizer(Object preTok, GgufArch arch, Path file) {
        List<String> regexes = new ArrayList<>();
        collectRegexes(preTok, regexes);
        for (String r : regexes) {
            if (r.contains("\\p{N}{1,3}")) return "llama-bpe";
            if (r.contains("\\p{N}") && arch.qwen()) return "qwen2";
        }
        throw new OutputException(null, file + ": unsupported byte-level pre-tokenizer " + (regexes.isEmpty() ? "(none)"
                : regexes.get(0)) + " for " + arch.name + " (supported: Qwen2/3 'qwen2', Llama 3 'llama-bpe')");
    }

    private static void collectRegexes(Object node, List<String> out) {
        if (node instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) node;
            if ("Split".equals(m.get("type")) && m.get("pattern") instanceof Map) {
                Object r = ((Map<?, ?>) m.get("pattern")).get("Regex");
                if (r instanceof String) out.add((String) r);
            }
            for (Object v : m.values()) collectRegexes(v, out);
        } else if (node instanceof List) {
            for (Object v : (List<?>) node) collectRegexes(v, out);
        }
    }

    private static boolean looksSpecial(String s) {
        return (s.startsWith("<|") && s.endsWith("|>")) || s.equals("<pad>") || s.equals("<mask>") || s.equals("<unk>")
                || s.equals("<s>") || s.equals("</s>");
    }

    /** Token text by id: vocab ∪ added_tokens, refusing ids beyond the embedding. */
    @SuppressWarnings("unchecked")
    private static String[] vocabById(Map<String, Object> vocab, Map<String, Object> t, int nVocab, Path file) {
        String[] text = new String[nVocab];
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            int id = ((Number) e.getValue()).intValue();
            if (id < 0 || id >= nVocab) {
                throw new OutputException(null, file + ": token id " + id + " ('" + e.getKey() + "') is beyond the "
                        + nVocab + " embedding rows: vocab size and embedding disagree");
            }
            text[id] = e.getKey();
        }
        for (Object a : (List<Object>) t.getOrDefault("added_tokens", List.of())) {
            Map<String, Object> at = (Map<String, Object>) a;
            int id = ((Number) at.get("id")).intValue();
            if (id < 0 || id >= nVocab) {
                throw new OutputException(null, file + ": added token id " + id + " is beyond the " + nVocab
                        + " embedding rows: vocab size and embedding disagree");
            }
            text[id] = (String) at.get("content");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < nVocab; i++) {
            if (text[i] != null && !seen.add(text[i])) text[i] = "[DUP" + i + "]" + text[i];
        }
        return text;
    }

    /** Merges as "a b" strings, new-format pairs joined with spaces inside a or b replaced by U+0120. */
    private static List<String> merges(Object m) {
        List<String> out = new ArrayList<>();
        if (!(m instanceof List)) return out;
        for (Object e : (List<?>) m) {
            if (e instanceof String) {
                out.add((String) e);
            } else if (e instanceof List && ((List<?>) e).size() == 2) {
                out.add(((String) ((List<?>) e).get(0)).replace(" ", "\u0120") + " "
                        + ((String) ((List<?>) e).get(1)).replace(" ", "\u0120"));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void addedTokensDecoder(Map<String, Object> cfg, List<String> tokens, List<Float> scores,
                                           List<Integer> types, Map<String, Integer> byText) {
        Object d = cfg.get("added_tokens_decoder");
        if (!(d instanceof Map)) return;
        for (Map.Entry<String, Object> e : ((Map<String, Object>) d).entrySet()) {
            int id = Integer.parseInt(e.getKey());
            if (id >= tokens.size()) continue;
            Map<String, Object> at = (Map<String, Object>) e.getValue();
            String content = (String) at.get("content");
            boolean special = Boolean.TRUE.equals(at.get("special")) || looksSpecial(content);
            tokens.set(id, special ? content : content.replace('\u2581', ' '));
            scores.set(id, -1000f);
            types.set(id, special ? CONTROL : USER_DEFINED);
            byText.put(content, id);
        }
    }

    /** bos/eos/unk/sep/pad ids, add_bos/add_eos, chat template. */
    @SuppressWarnings("unchecked")
    private static void specials(ModelDir model, Map<String, Object> cfg, Map<String, Integer> byText, int n,
                                 Map<String, GgufValue> kv) throws IOException {
        String[][] keys = {{"bos", "bos"}, {"eos", "eos"}, {"unk", "unknown"}, {"sep", "seperator"}, {"pad", "padding"}};
        for (String[] k : keys) {
            Integer id = null;
            Object tok = cfg.get(k[0] + "_token");
            if (tok instanceof Map) tok = ((Map<String, Object>) tok).get("content");
            if (tok instanceof String) id = byText.get(tok);
            if (id == null && model.config().get(k[0] + "_token_id") instanceof Long) {
                id = ((Long) model.config().get(k[0] + "_token_id")).intValue();
            }
            if (id != null && id >= 0 && id < n) kv.put("tokenizer.ggml." + k[1] + "_token_id", GgufValue.u32(id));
        }
        if (cfg.get("add_bos_token") instanceof Boolean) kv.put("tokenizer.ggml.add_bos_token", GgufValue.bool((Boolean) cfg.get("add_bos_token")));
        if (cfg.get("add_eos_token") instanceof Boolean) kv.put("tokenizer.ggml.add_eos_token", GgufValue.bool((Boolean) cfg.get("add_eos_token")));
        Object tmpl = cfg.get("chat_template");
        Path dir = model.path();
        if (tmpl == null && Files.exists(dir.resolve("chat_template.jinja"))) {
            tmpl = dev.swan.toolkit.io.InputFiles.readText(dir.resolve("chat_template.jinja"), dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES);
        }
        if (tmpl == null && Files.exists(dir.resolve("chat_template.json"))) {
            tmpl = readJson(dir.resolve("chat_template.json"), true).get("chat_template");
        }
        if (tmpl instanceof String && !((String) tmpl).isEmpty()) {
            kv.put("tokenizer.chat_template", GgufValue.string((String) tmpl));
        } else if (tmpl instanceof List) {
            List<String> names = new ArrayList<>();
            for (Object o : (List<Object>) tmpl) {
                Map<String, Object> e = (Map<String, Object>) o;
                String name = (String) e.get("name");
                String tpl = (String) e.get("template");
                if (name == null || tpl == null) continue;
                if (name.equals("default")) kv.put("tokenizer.chat_template", GgufValue.string(tpl));
                else {
                    kv.put("tokenizer.chat_template." + name, GgufValue.string(tpl));
                    names.add(name);
                }
            }
            if (!names.isEmpty()) kv.put("tokenizer.chat_templates", GgufValue.strings(names));
        }
    }

    private static Map<String, Object> readJson(Path p, boolean required) throws IOException {
        if (!Files.exists(p)) {
            if (required) throw new OutputException(null, p + ": missing");
            return Map.of();
        }
        try {
            return Json.parseObject(dev.swan.toolkit.io.InputFiles.readText(p, dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES));
        } catch (JsonParseException e) {
            throw new OutputException(null, p + ": unreadable tokenizer file: " + e.getMessage());
        }
    }
}
