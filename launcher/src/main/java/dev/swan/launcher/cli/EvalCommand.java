package dev.swan.launcher.cli;

import dev.swan.eval.Perplexity;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.evaluation.EvalReport;
import dev.swan.launcher.evaluation.EvalRun;
import dev.swan.launcher.evaluation.TaskReport;
import dev.swan.launcher.evaluation.TaskSpec;
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
                + "writer's), run by a Java forward pass (llama, mistral, qwen2, qwen3) on their stored weights. "
                + "With --task, multiple-choice accuracy as lm-evaluation-harness measures it (ARC, HellaSwag, your own).",
                "Example: swan eval out.gguf out-mlx --base MODEL_DIR --text wiki.test.raw --ctx 512",
                "Example: swan eval out.gguf --base MODEL_DIR --task arc_challenge=ARC-Challenge-test.jsonl "
                        + "--train arc_challenge=ARC-Challenge-train.jsonl"})
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

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Input input;

    @Option(names = "--task", paramLabel = "NAME[=FILE]",
            description = "A task scored as lm-evaluation-harness does: arc_challenge, arc_easy, hellaswag (JSON Lines or "
                    + "Parquet in the dataset's own layout: allenai/ai2_arc, Rowan/hellaswag), multiple_choice (your own: "
                    + "query, choices, gold or answer), or wikitext (EleutherAI/wikitext_document_level's records, field "
                    + "page, or a raw text as one page: word and byte perplexity, bits per byte, rolling windows of --ctx "
                    + "tokens, default the model's maximum up to 4096). Without =FILE, the split lm-evaluation-harness "
                    + "scores (and the training split) from that dataset in the Hugging Face cache (HF_HUB_CACHE). "
                    + "Repeatable; nothing is downloaded.")
    List<String> tasks = new java.util.ArrayList<>();

    @Option(names = "--train", paramLabel = "NAME=FILE",
            description = "The task's training split, where few-shot examples come from (then ARC-Challenge is "
                    + "25-shot and HellaSwag 10-shot, as the model card's table; others 0).")
    List<String> trains = new java.util.ArrayList<>();

    @Option(names = "--fewshot", paramLabel = "N", description = "Few-shot examples per question for every task.")
    Integer fewshot;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1234",
            description = "Seeds the few-shot draw (default: ${DEFAULT-VALUE}, lm-evaluation-harness' own).")
    long seed;

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

    /** The --task and --train pairs, each train naming a task given. */
    private List<TaskSpec> taskSpecs() {
        Map<String, Path> train = new java.util.LinkedHashMap<>();
        for (String t : trains) {
            String[] kv = pair("--train", t);
            train.put(kv[0], Path.of(kv[1]));
        }
        List<TaskSpec> out = new java.util.ArrayList<>();
        for (String t : tasks) {
            String[] kv = t.contains("=") ? pair("--task", t) : fromHubCache(t, train);
            if (!dev.swan.eval.tasks.TaskFile.TASKS.contains(kv[0]) && !TaskSpec.ROLLING.contains(kv[0])) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--task " + t + ": unknown task '" + kv[0]
                        + "' (known: " + String.join(", ", dev.swan.eval.tasks.TaskFile.TASKS) + ", wikitext)");
            }
            Path file = Path.of(kv[1]);
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--task " + t + ": no such file " + file);
            }
            out.add(new TaskSpec(kv[0], file, train.remove(kv[0])));
        }
        if (!train.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--train " + train.keySet().iterator().next()
                    + ": no --task of that name");
        }
        return out;
    }

    /**
     * {@code --task NAME} alone: the split lm-evaluation-harness scores, from the dataset in the hub cache,
     * and its training split as --train unless one was given.
     */
    private String[] fromHubCache(String task, Map<String, Path> train) {
        if (!dev.swan.eval.tasks.TaskFile.TASKS.contains(task) && !TaskSpec.ROLLING.contains(task)) return pair("--task", task);
        Path cache = dev.swan.toolkit.model.HubCache.root(System.getenv());
        Path file = dev.swan.launcher.evaluation.TaskDatasets.split(task, cache);
        if (!train.containsKey(task)) dev.swan.launcher.evaluation.TaskDatasets.train(task, cache).ifPresent(p -> train.put(task, p));
        return new String[] {task, file.toString()};
    }

    private String[] pair(String option, String value) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " " + value
                    + ": expected NAME=FILE, e.g. " + option + " arc_challenge=ARC-Challenge-test.jsonl");
        }
        return new String[] {value.substring(0, eq), value.substring(eq + 1)};
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        if (chunks < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--chunks must be 0 or more");
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 4096) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be 1..4096");
        List<TaskSpec> specs = taskSpecs();
        if (input == null && specs.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Nothing to score: give --text FILE or --ids FILE (perplexity), or --task NAME=FILE (multiple choice)");
        }
        if (fewshot != null && fewshot < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--fewshot must be 0 or more");
        // refused before the models run, not after
        if (output != null) AtomicOutput.prepare(output, null, force, dev.swan.launcher.pipeline.OutputKind.EVAL_RESULTS);
        try (PluginRegistry plugins = root.plugins(); EvalRun run = new EvalRun(models, base, plugins)) {
            ProgressLine progress = ProgressLine.forTerminal(out, "eval", root.quiet() || json);
            ForkJoinPool pool = new ForkJoinPool(n);
            List<Perplexity.Result> results = null;
            List<TaskReport.Row> taskRows = List.of();
            List<TaskReport.RollingRow> rollingRows = List.of();
            int c = 0;
            try {
                if (input != null) {
                    int[] ids = run.ids(input.text, input.ids);
                    c = run.context(ctx);
                    results = run.run(ids, new Perplexity.Settings(c, chunks), progress, dev.swan.api.numeric.Parallel.of(pool));
                }
                if (!specs.isEmpty()) {
                    taskRows = run.runTasks(specs, fewshot, seed, progress, dev.swan.api.numeric.Parallel.of(pool));
                    rollingRows = run.runRolling(specs, ctx, progress, dev.swan.api.numeric.Parallel.of(pool));
                }
            } finally {
                pool.shutdownNow();
            }
            progress.finish();
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            if (results != null) doc.putAll(EvalReport.json(results, c, String.valueOf(input.text != null ? input.text : input.ids)));
            else doc.put("protocol", "lm-evaluation-harness"); // first, as every results file starts (--force knows it by that)
            if (!taskRows.isEmpty()) doc.put("tasks", TaskReport.json(taskRows));
            if (!rollingRows.isEmpty()) doc.put("corpora", TaskReport.rollingJson(rollingRows));
            String text = dev.swan.launcher.pipeline.Json.MAPPER.writeValueAsString(doc);
            if (output != null) AtomicOutput.writeString(output, text + "\n");
            if (json) {
                out.println(text);
            } else {
                if (results != null) EvalReport.print(results, c, out);
                if (!taskRows.isEmpty()) {
                    if (results != null) out.println();
                    TaskReport.print(taskRows, out);
                }
                if (!rollingRows.isEmpty()) {
                    if (results != null || !taskRows.isEmpty()) out.println();
                    TaskReport.printRolling(rollingRows, out);
                }
            }
        }
        return 0;
    }
}
