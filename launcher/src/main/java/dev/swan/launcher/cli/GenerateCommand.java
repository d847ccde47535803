package dev.swan.launcher.cli;

import dev.swan.api.StoredModel;
import dev.swan.eval.EvalException;
import dev.swan.eval.Generator;
import dev.swan.eval.Transformer;
import dev.swan.eval.tokenizer.Tokenizer;
import dev.swan.eval.tokenizer.Tokenizers;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.evaluation.StoredModels;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
                int[] ids = tok.encode(text);
                if (ids.length == 0 && tok.bos() >= 0) ids = new int[] {tok.bos()};
                int max = t.architecture().maxPositions();
                List<Integer> generated = new ArrayList<>();
                StringBuilder shown = new StringBuilder();
                out.print(text);
                out.flush();
                ForkJoinPool pool = new ForkJoinPool(n);
                Generator.Stats stats;
                try {
                    stats = Generator.generate(t, ids, stopTokens(m), settings, max > 0 ? max : Integer.MAX_VALUE, id -> {
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

    /** End of text: the vocabulary's EOS and config.json's eos_token_id (a number or a list). */
    private static Set<Integer> stopTokens(StoredModel m) {
        Set<Integer> stop = new LinkedHashSet<>();
        m.vocabulary().ifPresent(v -> {
            if (v.eos() >= 0) stop.add(v.eos());
        });
        Object eos = m.config().get("eos_token_id");
        if (eos instanceof Number num) stop.add(num.intValue());
        if (eos instanceof List<?> list) for (Object o : list) if (o instanceof Number num) stop.add(num.intValue());
        return stop;
    }
}
