package dev.swan.eval.chat;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template (the Jinja text in {@code tokenizer_config.json}, {@code chat_template.jinja} or a
 * GGUF's {@code tokenizer.chat_template}), rendered as Hugging Face's {@code apply_chat_template} renders it:
 * Jinja with {@code trim_blocks} and {@code lstrip_blocks}, Python's string methods, {@code namespace},
 * {@code raise_exception}, {@code strftime_now}, and {@code tojson} as {@code json.dumps(ensure_ascii=False)}.
 * Parsed once; immutable and thread-safe.
 */
public final class ChatTemplate {
    private final String where;
    private final List<Node> nodes;

    private ChatTemplate(String where, List<Node> nodes) {
        this.where = where;
        this.nodes = nodes;
    }

    /**
     * @param source the template
     * @param where  where it comes from, for errors (a file name)
     * @throws ChatTemplateException on a syntax error, with its line
     */
    public static ChatTemplate parse(String source, String where) {
        try {
            return new ChatTemplate(where, Parser.parse(source, where));
        } catch (StackOverflowError e) {
            throw new ChatTemplateException(where, 0, "nested too deeply to parse");
        }
    }

    /**
     * The prompt for {@code messages} (each a map with {@code role} and {@code content}, as Hugging Face takes
     * them), with the assistant's header after them when {@code addGenerationPrompt}.
     *
     * @param variables further names the template reads: {@code bos_token}, {@code eos_token},
     *                  {@code enable_thinking}, {@code tools}, ...
     * @param clock     what {@code strftime_now} reads
     * @throws ChatTemplateException when the template fails or refuses ({@code raise_exception}), with its line
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> variables,
                         Clock clock) {
        Map<String, Object> vars = new LinkedHashMap<>(Builtins.globals(clock));
        vars.putAll(variables);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        try {
            return new Renderer(where, new Builtins(), vars).render(nodes);
        } catch (StackOverflowError e) {
            throw new ChatTemplateException(where, 0, "nested too deeply to render");
        }
    }
}
