package dev.swan.launcher.cli;

import dev.swan.eval.Perplexity;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.evaluation.EvalReport;
import dev.swan.launcher.evaluation.EvalRun;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.ProgressLine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan eval}: perplexity, KL divergence and top-1 agreement of models, in Java. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score models on a text with llama-perplexity's protocol (chunks of --ctx tokens, BOS first, "
                + "the second half of each chunk scored): perplexity with its standard error and, against --base, "
                + "the KL divergence KL(base ‖ model) per position (mean, 99th percentile, maximum) and how often "
                + "both rank the same token first. Models are Hugging Face or MLX folders or GGUF files (any "
                + "writer's), run by a Java forward pass (llama, mistral, qwen2, qwen3) on their stored weights.",
                "Example: swan eval out.gguf out-mlx --base MODEL_DIR --text wiki.test.raw --ctx 512"})
public final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", arity = "1..*", description = "Models to score: folders (Hugging Face, MLX) or GGUF files.")
    List<Path> models;

    static final class Input {
        @Option(names = "--text", paramLabel = "FILE", required = true,
                description = "UTF-8 text, tokenized as llama.cpp would (the base's tokenizer, else the first model's).")
        Path text;

        @Option(names = "--ids", paramLabel = "FILE", required = true,
                description = "Token ids instead of text: a JSON list or whitespace-separated integers.")
        Path ids;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--base", paramLabel = "MODEL", description = "Reference model (usually the source) for KL divergence and top-1 agreement.")
    Path base;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N",
            description = "Tokens per chunk (default: 512, or the model's maximum when shorter).")
    Integer ctx;

    @Option(names = "--chunks", paramLabel = "N", defaultValue = "0", description = "Score at most N chunks (default: all the text holds).")
    int chunks;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--json", description = "Print the results as JSON instead of the table.")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "RESULTS.json", description = "Also write the results as JSON to this file.")
    Path output;

    @Option(names = "--force", description = "Replace an existing results file (only one swan eval wrote).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        if (chunks < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--chunks must be 0 or more");
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 4096) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be 1..4096");
        // refused before the models run, not after
        if (output != null) AtomicOutput.prepare(output, null, force, dev.swan.launcher.pipeline.OutputKind.EVAL_RESULTS);
        try (PluginRegistry plugins = root.plugins(); EvalRun run = new EvalRun(models, base, plugins)) {
            int[] ids = run.ids(input.text, input.ids);
            int c = run.context(ctx);
            ProgressLine progress = ProgressLine.forTerminal(out, "eval", root.quiet() || json);
            ForkJoinPool pool = new ForkJoinPool(n);
            List<Perplexity.Result> results;
            try {
                results = run.run(ids, new Perplexity.Settings(c, chunks), progress, dev.swan.api.numeric.Parallel.of(pool));
            } finally {
                pool.shutdownNow();
            }
            progress.finish();
            Map<String, Object> doc = EvalReport.json(results, c, String.valueOf(input.text != null ? input.text : input.ids));
            String text = dev.swan.launcher.pipeline.Json.MAPPER.writeValueAsString(doc);
            if (output != null) AtomicOutput.writeString(output, text + "\n");
            if (json) out.println(text);
            else EvalReport.print(results, c, out);
        }
        return 0;
    }
}
