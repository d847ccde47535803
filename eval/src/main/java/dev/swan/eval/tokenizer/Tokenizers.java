package dev.swan.eval.tokenizer;

import dev.swan.api.ModelFormatException;
import dev.swan.api.Vocabulary;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import dev.swan.api.model.ModelConfig;
import dev.swan.toolkit.model.SentencePieceModel;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Builds the tokenizer of a model: from the vocabulary a GGUF file carries, else from the folder's
 * {@code tokenizer.model} (SentencePiece, as llama.cpp's converter prefers it), else its
 * {@code tokenizer.json} (BPE with byte fallback, or byte-level BPE with its normalizer and pre-tokenizer).
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    /** The tokenizer llama.cpp would use for this vocabulary. */
    public static Tokenizer of(Vocabulary v, String origin) {
        switch (v.model()) {
            case "llama":
                return new SentencePieceTokenizer(v.tokens(), v.scores(), v.types(), v.bos(), v.addBos(),
                        v.addSpacePrefix(), origin);
            case "gpt2": {
                String regex = ByteLevel.regexForPre(v.pre()).orElseThrow(() -> new ModelFormatException(null,
                        "tokenizer.ggml.pre", "pre-tokenizer '" + v.pre() + "' of " + origin + " is not supported "
                        + "(supported: qwen2, llama-bpe, gpt2)"));
                Pattern p = ByteLevel.compile(regex);
                Map<String, Integer> vocab = new HashMap<>();
                Map<String, Integer> userDefined = new HashMap<>();
                Map<String, Integer> control = new HashMap<>();
                for (int i = 0; i < v.tokens().size(); i++) {
                    int type = i < v.types().size() ? v.types().get(i) : Vocabulary.NORMAL;
                    if (type == Vocabulary.USER_DEFINED) userDefined.put(v.tokens().get(i), i);
                    else vocab.put(v.tokens().get(i), i);
                    if (type == Vocabulary.CONTROL) control.put(v.tokens().get(i), i);
                }
                List<String[]> merges = new ArrayList<>();
                for (String m : v.merges()) {
                    int sp = m.indexOf(' ', 1);
                    if (sp > 0) merges.add(new String[] {m.substring(0, sp), m.substring(sp + 1)});
                }
                boolean llama3 = regex.equals(ByteLevel.LLAMA3);
                return new BpeTokenizer(vocab, merges, BpeTokenizer.Alphabet.BYTE_LEVEL, Function.identity(),
                        t -> ByteLevel.split(p, t), false, -1, llama3, v.bos(), v.addBos(), userDefined, control, origin);
            }
            default:
                throw new ModelFormatException(null, "tokenizer.ggml.model", "tokenizer model '" + v.model() + "' of "
                        + origin + " is not supported (supported: llama, gpt2)");
        }
    }

    /** The tokenizer files of a model folder; empty when it has none. */
    public static Optional<Tokenizer> fromDirectory(Path dir, ModelConfig config) {
        try {
            return fromDirectoryChecked(dir, config);
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException | NumberFormatException e) {
            throw new ModelFormatException(dir, null, "tokenizer files (tokenizer.json, tokenizer_config.json) hold a "
                    + "value of the wrong type: not as the tokenizers library writes them (re-save the tokenizer)");
        }
    }

    private static Optional<Tokenizer> fromDirectoryChecked(Path dir, ModelConfig config) {
        Map<String, Object> cfg = Files.isRegularFile(dir.resolve("tokenizer_config.json"))
                ? readJson(dir.resolve("tokenizer_config.json")) : Map.of();
        Path spm = dir.resolve("tokenizer.model");
        if (Files.isRegularFile(spm)) return Optional.of(sentencePiece(spm, cfg, config));
        Path tj = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(tj)) return Optional.of(tokenizerJson(tj, cfg, config));
        return Optional.empty();
    }

    private static Tokenizer sentencePiece(Path file, Map<String, Object> cfg, ModelConfig config) {
        SentencePieceModel m;
        try {
            m = SentencePieceModel.read(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, null, "cannot read: " + e.getMessage(), e);
        }
        List<String> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        Map<String, Integer> byText = new HashMap<>();
        for (SentencePieceModel.Piece p : m.pieces()) {
            byText.put(p.text(), tokens.size());
            tokens.add(p.text());
            scores.add(p.score());
            types.add(p.type());
        }
        int bos = specialId(cfg, "bos", config, byText);
        boolean addBos = !(cfg.get("add_bos_token") instanceof Boolean b) || b;
        boolean prefix = cfg.get("add_prefix_space") instanceof Boolean b ? b : m.addDummyPrefix();
        return new SentencePieceTokenizer(tokens, scores, types, bos, addBos, prefix, file.getFileName().toString());
    }

    @SuppressWarnings("unchecked")
    static Tokenizer tokenizerJson(Path file, Map<String, Object> cfg, ModelConfig config) {
        Map<String, Object> t = readJson(file);
        if (!(t.get("model") instanceof Map<?, ?> mm)) throw new ModelFormatException(file, "model", "missing or not an object");
        Map<String, Object> model = (Map<String, Object>) mm;
        if (!"BPE".equals(model.get("type"))) {
            throw new ModelFormatException(file, "model.type", "tokenizer model '" + model.get("type")
                    + "' is not supported (supported: BPE)");
        }
        if (!(model.get("vocab") instanceof Map<?, ?> vm)) throw new ModelFormatException(file, "model.vocab", "missing or not an object");
        Map<String, Integer> vocab = new HashMap<>();
        for (Map.Entry<?, ?> e : vm.entrySet()) {
            if (!(e.getValue() instanceof Long id)) throw new ModelFormatException(file, "model.vocab", "id of '" + e.getKey() + "' is not an integer");
            vocab.put((String) e.getKey(), id.intValue());
        }
        Map<String, Integer> userDefined = new LinkedHashMap<>();
        Map<String, Integer> control = new LinkedHashMap<>();
        Map<String, Integer> byText = new HashMap<>(vocab);
        if (t.get("added_tokens") instanceof List<?> added) {
            for (Object a : added) {
                if (!(a instanceof Map<?, ?> at) || !(at.get("content") instanceof String c) || !(at.get("id") instanceof Long id)) {
                    throw new ModelFormatException(file, "added_tokens", "each entry needs a string content and an integer id");
                }
                byText.put(c, id.intValue());
                if (!Boolean.TRUE.equals(at.get("special"))) {
                    userDefined.put(c, id.intValue());
                } else {
                    vocab.putIfAbsent(c, id.intValue());
                    control.put(c, id.intValue());
                }
            }
        }
        List<String[]> merges = new ArrayList<>();
        if (model.get("merges") instanceof List<?> ml) {
            for (Object o : ml) {
                if (o instanceof String s) {
                    int sp = s.indexOf(' ', 1);
                    if (sp < 0) throw new ModelFormatException(file, "model.merges", "merge '" + s + "' is not 'a b'");
                    merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
                } else if (o instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String a
                        && pair.get(1) instanceof String b) {
                    merges.add(new String[] {a, b});
                } else {
                    throw new ModelFormatException(file, "model.merges", "each merge must be 'a b' or [a, b]");
                }
            }
        }
        boolean byteLevel = mentions(t.get("pre_tokenizer"), "ByteLevel") || mentions(t.get("decoder"), "ByteLevel");
        int unk = model.get("unk_token") instanceof String u && vocab.containsKey(u) ? vocab.get(u) : -1;
        Function<String, String> normalizer = normalizer(t.get("normalizer"), file);
        Function<String, List<String>> pre = preTokenizer(t.get("pre_tokenizer"), file);
        int bos = specialId(cfg, "bos", config, byText);
        boolean addBos;
        if (cfg.get("add_bos_token") instanceof Boolean b) {
            addBos = b;
        } else {
            Optional<String> first = templateFirstSpecial(t.get("post_processor"));
            addBos = first.isPresent() && byText.containsKey(first.get());
            if (addBos) bos = byText.get(first.get());
        }
        return new BpeTokenizer(vocab, merges, byteLevel ? BpeTokenizer.Alphabet.BYTE_LEVEL : BpeTokenizer.Alphabet.CHARACTERS,
                normalizer, pre, Boolean.TRUE.equals(model.get("byte_fallback")), unk,
                Boolean.TRUE.equals(model.get("ignore_merges")), bos, addBos, userDefined, control, file.getFileName().toString());
    }

    private static boolean mentions(Object node, String type) {
        if (node instanceof Map<?, ?> m) {
            if (type.equals(m.get("type"))) return true;
            for (Object v : m.values()) if (mentions(v, type)) return true;
        } else if (node instanceof List<?> l) {
            for (Object v : l) if (mentions(v, type)) return true;
        }
        return false;
    }

    /** The special token a TemplateProcessing puts before a single sequence, if any. */
    private static Optional<String> templateFirstSpecial(Object post) {
        if (post instanceof Map<?, ?> m) {
            if ("TemplateProcessing".equals(m.get("type")) && m.get("single") instanceof List<?> single && !single.isEmpty()
                    && single.get(0) instanceof Map<?, ?> first && first.get("SpecialToken") instanceof Map<?, ?> st
                    && st.get("id") instanceof String id) {
                return Optional.of(id);
            }
            if (m.get("processors") instanceof List<?> l) {
                for (Object p : l) {
                    Optional<String> r = templateFirstSpecial(p);
                    if (r.isPresent()) return r;
                }
            }
        }
        return Optional.empty();
    }

    private static Function<String, String> normalizer(Object n, Path file) {
        if (n == null) return Function.identity();
        if (!(n instanceof Map<?, ?> m)) throw new ModelFormatException(file, "normalizer", "not an object");
        Object type = m.get("type");
        switch (String.valueOf(type)) {
            case "Sequence": {
                Function<String, String> f = Function.identity();
                if (!(m.get("normalizers") instanceof List<?> l)) throw new ModelFormatException(file, "normalizer.normalizers", "not a list");
                for (Object o : l) f = f.andThen(normalizer(o, file));
                return f;
            }
            case "Prepend": {
                String p = string(m, "prepend", file, "normalizer");
                return s -> s.isEmpty() ? s : p + s;
            }
            case "Replace": {
                String content = string(m, "content", file, "normalizer");
                if (m.get("pattern") instanceof Map<?, ?> pat && pat.get("String") instanceof String from) {
                    return s -> s.replace(from, content);
                }
                if (m.get("pattern") instanceof Map<?, ?> pat && pat.get("Regex") instanceof String re) {
                    Pattern p = ByteLevel.compile(re);
                    return s -> p.matcher(s).replaceAll(java.util.regex.Matcher.quoteReplacement(content));
                }
                throw new ModelFormatException(file, "normalizer.pattern", "Replace needs a String or Regex pattern");
            }
            case "NFC": return s -> Normalizer.normalize(s, Normalizer.Form.NFC);
            case "NFD": return s -> Normalizer.normalize(s, Normalizer.Form.NFD);
            case "NFKC": return s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
            case "NFKD": return s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
            case "Lowercase": return s -> s.toLowerCase(Locale.ROOT);
            default:
                throw new ModelFormatException(file, "normalizer", "normalizer type '" + type + "' is not supported "
                        + "(supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase)");
        }
    }

    private static Function<String, List<String>> preTokenizer(Object n, Path file) {
        if (n == null) return List::of;
        if (!(n instanceof Map<?, ?> m)) throw new ModelFormatException(file, "pre_tokenizer", "not an object");
        Object type = m.get("type");
        switch (String.valueOf(type)) {
            case "Sequence": {
                if (!(m.get("pretokenizers") instanceof List<?> l)) throw new ModelFormatException(file, "pre_tokenizer.pretokenizers", "not a list");
                List<Function<String, List<String>>> steps = new ArrayList<>();
                for (Object o : l) steps.add(preTokenizer(o, file));
                return s -> {
                    List<String> pieces = List.of(s);
                    for (Function<String, List<String>> step : steps) {
                        List<String> next = new ArrayList<>();
                        for (String p : pieces) next.addAll(step.apply(p));
                        pieces = next;
                    }
                    return pieces;
                };
            }
            case "Split": {
                if (!"Isolated".equals(m.get("behavior")) || Boolean.TRUE.equals(m.get("invert"))) {
                    throw new ModelFormatException(file, "pre_tokenizer", "Split with behavior " + m.get("behavior")
                            + (Boolean.TRUE.equals(m.get("invert")) ? " (inverted)" : "") + " is not supported (Isolated only)");
                }
                Pattern p;
                if (m.get("pattern") instanceof Map<?, ?> pat && pat.get("Regex") instanceof String re) p = ByteLevel.compile(re);
                else if (m.get("pattern") instanceof Map<?, ?> pat && pat.get("String") instanceof String lit) p = Pattern.compile(Pattern.quote(lit));
                else throw new ModelFormatException(file, "pre_tokenizer.pattern", "Split needs a String or Regex pattern");
                return s -> ByteLevel.split(p, s);
            }
            case "ByteLevel": {
                boolean prefix = Boolean.TRUE.equals(m.get("add_prefix_space"));
                boolean regex = !Boolean.FALSE.equals(m.get("use_regex"));
                Pattern p = ByteLevel.compile(ByteLevel.GPT2);
                return s -> {
                    String text = prefix && !s.startsWith(" ") ? " " + s : s;
                    return regex ? ByteLevel.split(p, text) : List.of(text);
                };
            }
            case "Metaspace": {
                String rep = m.get("replacement") instanceof String r ? r : "\u2581";
                String scheme = m.get("prepend_scheme") instanceof String ps ? ps
                        : Boolean.FALSE.equals(m.get("add_prefix_space")) ? "never" : "always";
                boolean split = !Boolean.FALSE.equals(m.get("split"));
                return s -> {
                    String text = s.replace(" ", rep);
                    if (!scheme.equals("never") && !text.startsWith(rep)) text = rep + text;
                    if (!split) return List.of(text);
                    List<String> out = new ArrayList<>();
                    int start = 0;
                    for (int i = 1; i < text.length(); i++) {
                        if (text.startsWith(rep, i)) {
                            out.add(text.substring(start, i));
                            start = i;
                        }
                    }
                    out.add(text.substring(start));
                    return out;
                };
            }
            default:
                throw new ModelFormatException(file, "pre_tokenizer", "pre-tokenizer type '" + type + "' is not supported "
                        + "(supported: Sequence, Split, ByteLevel, Metaspace)");
        }
    }

    private static String string(Map<?, ?> m, String key, Path file, String where) {
        if (!(m.get(key) instanceof String s)) throw new ModelFormatException(file, where + "." + key, "missing or not a string");
        return s;
    }

    /** The id of {@code <kind>_token} in tokenizer_config.json, else config.json's {@code <kind>_token_id}, else -1. */
    private static int specialId(Map<String, Object> cfg, String kind, ModelConfig config, Map<String, Integer> byText) {
        Object tok = cfg.get(kind + "_token");
        if (tok instanceof Map<?, ?> m) tok = m.get("content");
        if (tok instanceof String s && byText.containsKey(s)) return byText.get(s);
        if (config.get(kind + "_token_id") instanceof Long id) return id.intValue();
        return -1;
    }

    private static Map<String, Object> readJson(Path p) {
        try {
            return Json.parseObject(dev.swan.toolkit.io.InputFiles.readText(p, dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES));
        } catch (JsonParseException e) {
            throw new ModelFormatException(p, null, "malformed JSON: " + e.getMessage());
        } catch (IOException e) {
            throw new ModelFormatException(p, null, "cannot read: " + e.getMessage(), e);
        }
    }
}
