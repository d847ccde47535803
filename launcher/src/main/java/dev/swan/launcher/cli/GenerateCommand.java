package dev.swan.launcher.cli;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.eval.EvalException;
import dev.swan.eval.Generator;
import dev.swan.eval.Transformer;
import dev.swan.eval.chat.ChatTemplate;
import dev.swan.eval.chat.ChatTemplates;
import dev.swan.eval.tokenizer.Tokenizer;
import dev.swan.eval.tokenizer.Tokenizers;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.evaluation.StoredModels;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.toolkit.io.InputFiles;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan generate}: text from any model swan reads, to try a quantized output on a CPU. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text with a model (Hugging Face or MLX folder, GGUF file, quantized or not) on the "
                + "Java forward pass, streaming the tokens as they come, then the speed. Greedy by default; "
                + "--temperature and --top-p sample, seeded (same seed, same text).",
                "A model with a chat template (tokenizer_config.json, chat_template.jinja, or the GGUF's "
                        + "tokenizer.chat_template) gets the prompt as a user message in that template and prints the "
                        + "reply, as mlx_lm.generate does; --ignore-chat-template continues the text as it is.",
                "Example: swan generate out.gguf --prompt \"Once upon a time\" --max-tokens 64"})
public final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The model: a folder (Hugging Face, MLX), a GGUF file or a Hugging Face id in the cache.")
    Path model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The text to continue (default: none, the model starts from BOS).")
    String prompt = "";

    @Option(names = {"-f", "--prompt-file"}, paramLabel = "FILE", description = "The prompt from a UTF-8 file.")
    Path promptFile;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "256", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "0 picks the most likely token (greedy, the default); above 0 samples at that temperature.")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Sample from the smallest set of tokens holding P of the probability (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seeds sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--system-prompt", paramLabel = "TEXT", description = "A system message before the prompt (chat template).")
    String systemPrompt;

    @Option(names = "--ignore-chat-template", description = "Continue the prompt as plain text even where the model has a chat template.")
    boolean ignoreChatTemplate;

    @Option(names = "--chat-template-file", paramLabel = "FILE", description = "A Jinja chat template to use instead of the model's.")
    Path chatTemplateFile;

    @Option(names = "--chat-template-config", paramLabel = "JSON",
            description = "Further variables for the chat template, a JSON object, e.g. '{\"enable_thinking\": false}'.")
    String chatTemplateConfig;

    @Option(names = "--verbose-prompt", description = "Print the prompt as the model reads it (text and token ids) to stderr first.")
    boolean verbosePrompt;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        PrintStream err = Io.err(spec);
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 4096) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be 1..4096");
        String text = promptFile != null ? Files.readString(promptFile, StandardCharsets.UTF_8) : prompt;
        Generator.Settings settings = new Generator.Settings(maxTokens, temperature, topP, seed);
        try (PluginRegistry plugins = root.plugins()) {
            Path p = StoredModels.resolve(model);
            try (StoredModel m = StoredModels.open(model, plugins)) {
                Transformer t = Transformer.of(m);
                Optional<Tokenizer> found = m.vocabulary().map(v -> Tokenizers.of(v, p.toString()));
                if (found.isEmpty() && Files.isDirectory(p)) found = Tokenizers.fromDirectory(p, m.config());
                Tokenizer tok = found.orElseThrow(() -> new EvalException(model + ": no tokenizer (no tokenizer.model or "
                        + "tokenizer.json beside the model, no vocabulary in the GGUF)"));
                Set<Integer> stop = stopTokens(m, p);
                Optional<String> template = chatTemplate(m, p);
                if (systemPrompt != null && (template.isEmpty() || ignoreChatTemplate)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--system-prompt needs a chat template: "
                            + model + " has none (give one with --chat-template-file FILE)");
                }
                boolean chat = template.isPresent() && !ignoreChatTemplate && (!text.isEmpty() || systemPrompt != null);
                int[] ids;
                if (chat) {
                    Map<String, Object> vars = new LinkedHashMap<>(Files.isDirectory(p) ? ChatTemplates.specialTokens(p)
                            : m.vocabulary().map(v -> ChatTemplates.specialTokens(tok, v.bos(), v.eos())).orElse(Map.of()));
                    vars.putAll(templateConfig());
                    List<Map<String, Object>> messages = new ArrayList<>();
                    if (systemPrompt != null) messages.add(Map.of("role", "system", "content", systemPrompt));
                    messages.add(Map.of("role", "user", "content", text));
                    String where = chatTemplateFile != null ? chatTemplateFile.toString() : model.toString();
                    String rendered = ChatTemplate.parse(template.get(), where).render(messages, true, vars, Clock.systemDefaultZone());
                    ids = tok.encodeChat(rendered);
                    stop.addAll(ChatTemplates.endOfTurn(tok, (String) vars.get("eos_token")));
                    if (verbosePrompt) err.println("prompt (" + ids.length + " tokens, chat template):\n" + rendered);
                } else {
                    ids = tok.encode(text);
                    if (ids.length == 0 && tok.bos() >= 0) ids = new int[] {tok.bos()};
                    if (verbosePrompt) err.println("prompt (" + ids.length + " tokens):\n" + text);
                }
                if (verbosePrompt) err.println("ids: " + java.util.Arrays.toString(ids));
                int max = t.architecture().maxPositions();
                List<Integer> generated = new ArrayList<>();
                StringBuilder shown = new StringBuilder();
                if (!chat) out.print(text);
                out.flush();
                ForkJoinPool pool = new ForkJoinPool(n);
                Generator.Stats stats;
                try {
                    stats = Generator.generate(t, ids, stop, settings, max > 0 ? max : Integer.MAX_VALUE, id -> {
                        generated.add(id);
                        String all = tok.decode(generated.stream().mapToInt(Integer::intValue).toArray());
                        // print what is settled: a partial UTF-8 sequence decodes to U+FFFD until its last byte comes
                        if (all.startsWith(shown.toString()) && !all.endsWith("\uFFFD")) {
                            out.print(all.substring(shown.length()));
                            out.flush();
                            shown.setLength(0);
                            shown.append(all);
                        }
                    }, dev.swan.api.numeric.Parallel.of(pool));
                } finally {
                    pool.shutdownNow();
                }
                String all = tok.decode(generated.stream().mapToInt(Integer::intValue).toArray());
                if (all.startsWith(shown.toString())) out.print(all.substring(shown.length()));
                out.println();
                if (!root.quiet()) {
                    err.println(String.format(Locale.ROOT, "%d tokens in %.2f s (%.2f tokens/s); prompt %d tokens in %.2f s",
                            stats.generated(), stats.generateSeconds(), stats.tokensPerSecond(), stats.promptTokens(),
                            stats.promptSeconds()));
                }
            }
        }
        return 0;
    }

    /**
     * End of text: the vocabulary's EOS and the eos_token_id (a number or a list) of config.json and of
     * generation_config.json.
     */
    private static Set<Integer> stopTokens(StoredModel m, Path p) {
        Set<Integer> stop = new LinkedHashSet<>();
        m.vocabulary().ifPresent(v -> {
            if (v.eos() >= 0) stop.add(v.eos());
        });
        addIds(m.config().get("eos_token_id"), stop);
        Path generation = p.resolve("generation_config.json");
        if (Files.isDirectory(p) && Files.isRegularFile(generation)) {
            try {
                addIds(Json.parseObject(InputFiles.readText(generation, InputFiles.MAX_TEXT_BYTES)).get("eos_token_id"), stop);
            } catch (IOException | JsonParseException e) {
                throw new ModelFormatException(generation, "eos_token_id", "cannot read: " + e.getMessage());
            }
        }
        return stop;
    }

    private static void addIds(Object eos, Set<Integer> stop) {
        if (eos instanceof Number num) stop.add(num.intValue());
        if (eos instanceof List<?> list) for (Object o : list) if (o instanceof Number num) stop.add(num.intValue());
    }

    /** --chat-template-file, else the GGUF's template, else the folder's; empty when there is none. */
    private Optional<String> chatTemplate(StoredModel m, Path p) throws IOException {
        if (chatTemplateFile != null) {
            if (!Files.isRegularFile(chatTemplateFile)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--chat-template-file " + chatTemplateFile
                        + ": no such file");
            }
            return Optional.of(InputFiles.readText(chatTemplateFile, InputFiles.MAX_TEXT_BYTES));
        }
        Optional<String> stored = m.chatTemplate();
        if (stored.isPresent()) return stored;
        return Files.isDirectory(p) ? ChatTemplates.inDirectory(p) : Optional.empty();
    }

    private Map<String, Object> templateConfig() {
        if (chatTemplateConfig == null) return Map.of();
        try {
            return Json.parseObject(chatTemplateConfig);
        } catch (JsonParseException | ClassCastException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--chat-template-config: not a JSON object ("
                    + e.getMessage() + "), e.g. '{\"enable_thinking\": false}'");
        }
    }
}
