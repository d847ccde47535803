package dev.swan.eval.chat;

import dev.swan.api.ModelFormatException;
import dev.swan.eval.tokenizer.Tokenizer;
import dev.swan.toolkit.io.InputFiles;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Where a model folder keeps its chat template and the special tokens the template prints. */
public final class ChatTemplates {
    /** The texts llama.cpp ends a turn at (its end-of-generation tokens), besides the vocabulary's EOS. */
    private static final Set<String> END_OF_TURN = Set.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>",
            "<end_of_turn>", "<|endoftext|>", "<|return|>", "<|call|>", "<EOT>", "<｜end▁of▁sentence｜>");

    private ChatTemplates() {
    }

    /**
     * The template of a Hugging Face or MLX folder: {@code tokenizer_config.json}'s {@code chat_template} (of
     * a list of named templates, the one named {@code default}), else {@code chat_template.jinja}, else
     * {@code chat_template.json}'s; the same order the GGUF writer copies it in.
     */
    public static Optional<String> inDirectory(Path dir) {
        Object t = config(dir.resolve("tokenizer_config.json")).get("chat_template");
        Path jinja = dir.resolve("chat_template.jinja");
        if (t == null && Files.isRegularFile(jinja)) t = read(jinja);
        if (t == null) t = config(dir.resolve("chat_template.json")).get("chat_template");
        if (t instanceof List<?> named) {
            for (Object o : named) {
                if (o instanceof Map<?, ?> m && "default".equals(m.get("name")) && m.get("template") instanceof String s) return Optional.of(s);
            }
            return Optional.empty();
        }
        if (t != null && !(t instanceof String)) {
            throw new ModelFormatException(dir.resolve("tokenizer_config.json"), "chat_template", "not a string or a list of "
                    + "{name, template}");
        }
        return Optional.ofNullable((String) t).filter(s -> !s.isEmpty());
    }

    /** {@code bos_token}, {@code eos_token}, {@code unk_token} and {@code pad_token} of {@code tokenizer_config.json}, as text. */
    public static Map<String, Object> specialTokens(Path dir) {
        Map<String, Object> cfg = config(dir.resolve("tokenizer_config.json"));
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            Object v = cfg.get(k);
            if (v instanceof Map<?, ?> m) v = m.get("content");
            if (v instanceof String s) out.put(k, s);
        }
        return out;
    }

    /** The same from a vocabulary: its BOS and EOS as text. */
    public static Map<String, Object> specialTokens(Tokenizer tok, int bos, int eos) {
        Map<String, Object> out = new LinkedHashMap<>();
        tok.controlTokens().forEach((text, id) -> {
            if (id == bos) out.put("bos_token", text);
            if (id == eos) out.put("eos_token", text);
        });
        return out;
    }

    /** The control tokens a reply ends at: the turn ends llama.cpp knows, and {@code eos}. */
    public static Set<Integer> endOfTurn(Tokenizer tok, String eos) {
        Set<Integer> out = new LinkedHashSet<>();
        tok.controlTokens().forEach((text, id) -> {
            if (END_OF_TURN.contains(text) || text.equals(eos)) out.add(id);
        });
        return out;
    }

    private static Map<String, Object> config(Path file) {
        if (!Files.isRegularFile(file)) return Map.of();
        try {
            return Json.parseObject(read(file));
        } catch (JsonParseException e) {
            throw new ModelFormatException(file, null, "malformed JSON: " + e.getMessage());
        }
    }

    private static String read(Path file) {
        try {
            return InputFiles.readText(file, InputFiles.MAX_TEXT_BYTES);
        } catch (IOException e) {
            throw new ModelFormatException(file, null, "cannot read: " + e.getMessage(), e);
        }
    }
}
