package dev.swan.launcher.cli;

import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.WriteReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.VersionProvider;
import dev.swan.launcher.evaluation.EvalReport;
import dev.swan.launcher.evaluation.EvalRun;
import dev.swan.launcher.pipeline.Baselines;
import dev.swan.launcher.pipeline.Manifest;
import dev.swan.launcher.pipeline.ManifestIO;
import dev.swan.launcher.pipeline.Pipeline;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.QuantizeService;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.pipeline.Summary;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.ProgressLine;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan quantize}: analyze → allocate → write, in one go. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Analyze a model, allocate bits and write the output (MLX directory or GGUF file). "
                + "The output is built in a temporary sibling and moved into place only when complete; "
                + "an interrupted run resumes its measurements when re-run with the same output.",
                "Baselines: --uniform 4 (MLX, like mlx_lm.convert -q), --uniform Q4_0 (GGUF, like llama-quantize --pure), "
                + "--preset Q4_K_M (GGUF, like llama-quantize Q4_K_M: its per-tensor recipe, byte for byte)."})
public final class QuantizeCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL_DIR", arity = "0..1", description = "Model directory (or 'model:' in --config).")
    Path modelDir;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Output directory (mlx) or file (gguf); default <model>-swan-<format>.")
    Path output;

    @Option(names = {"-f", "--format"}, paramLabel = "ID", description = "Output format: mlx (default) or gguf, or any installed format.")
    String format;

    @Option(names = "--manifest", paramLabel = "MANIFEST.json", description = "Use the plan of a manifest from 'swan analyze'/'swan allocate' (no metric is recomputed).")
    Path manifest;

    /** A baseline instead of SWAN: one of the two. */
    static final class Baseline {
        @Option(names = "--uniform", paramLabel = "BITS|TYPE",
                description = "Baseline instead of SWAN: every quantizable tensor at BITS (e.g. 4), or at a format type (e.g. Q4_0, Q8_0, F16 for gguf).")
        String uniform;

        @Option(names = "--preset", paramLabel = "NAME",
                description = "Baseline instead of SWAN: the runtime's own recipe of that name, e.g. Q4_K_M, Q3_K_M, Q5_K_M, Q4_0 "
                        + "for gguf (llama-quantize's per-tensor rules, without an importance matrix).")
        String preset;
    }

    @picocli.CommandLine.ArgGroup(exclusive = true)
    Baseline baseline = new Baseline();

    @Option(names = "--dry-run", description = "Plan and print the predicted sizes, write nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Replace an existing output.")
    boolean force;

    @Option(names = "--restart", description = "Discard the measurements of an interrupted run instead of resuming them.")
    boolean restart;

    @Option(names = "--eval", paramLabel = "TEXT",
            description = "After writing, score the output against the source on this UTF-8 text (as 'swan eval OUT --base MODEL_DIR --text TEXT').")
    Path evalText;

    @Option(names = "--eval-ctx", paramLabel = "N", description = "Tokens per chunk for --eval (default: 512, or the model's maximum when shorter).")
    Integer evalCtx;

    @Option(names = "--report", paramLabel = "REPORT.html",
            description = "Also write the plan as a self-contained HTML report (with --eval, its quality too); see 'swan report'.")
    Path reportFile;

    @Mixin
    PlanOptions plan;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        if (evalText != null && !Files.isRegularFile(evalText)) {
            throw new dev.swan.eval.EvalException(evalText + ": no such text file (--eval)");
        }
        try (PluginRegistry plugins = root.plugins(plan.pipelinePluginDirs())) {
            PipelineSettings s = plan.forModel(plugins, spec, modelDir, formatFor(plugins));
            if (baseline != null && (baseline.uniform != null || baseline.preset != null)) s = baseline(s, plugins);
            try (ModelDir model = ModelFolder.open(s.model())) {
                PhaseLines phases = new PhaseLines(out, root.quiet());
                if (manifest == null) s = defaultTarget(s, plugins, model, phases::announce);
                ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, manifest == null, true);
                rp.format().check(model, rp.formatParameters());
                Path given = output != null ? output : s.output() != null ? s.output()
                        : Path.of(rp.format().defaultOutputName(model.name()));
                // resolved once: "dir/../dir" must keep naming dir while an old output is moved aside
                Path target = dev.swan.launcher.pipeline.AtomicOutput.resolve(given);
                Pipeline pipeline = new Pipeline(plugins, out, Io.err(spec));
                Manifest reuse = manifest == null ? null : ManifestIO.readForWriting(manifest);
                QuantizeService.Result done;
                try (PhaseLines.Interruption notice = phases.onInterrupt(Io.err(spec), given.toString(),
                        manifest != null || !rp.allocator().usesMetrics() ? null
                        : "the measurements finished so far are kept beside it (" + given.getFileName()
                        + ".swan.json.partial): the same command resumes them")) {
                    done = new QuantizeService(pipeline).run(new QuantizeService.Request(rp, model,
                            given, reuse, manifest, replan(rp), plan.metricsGiven || reuse == null ? rp.settings().weights()
                            : reuse.weights(), dryRun, force, restart, reportFile == null ? List.of() : List.of(reportFile),
                            s.threads(), "swan " + VersionProvider.version() + ": " + root.commandLine()), phases);
                }
                Manifest m = done.manifest();
                if (dryRun) {
                    out.println("Dry run: nothing written. Planned " + m.tensors().size() + " tensors:");
                    Summary.of(m, pipeline.sizers(model.config(), rp)).print(out, pipeline.describe(m.plan()));
                    if (!phases.timings().isEmpty()) out.println(phases.timings());
                    return 0;
                }
                WriteReport report = done.written();
                out.println("Wrote " + given + " (" + rp.format().id() + ", " + Format.bytes(sizeOf(target)) + ")");
                printReport(report, target, out, model.config());
                for (String w : report.warnings()) Io.err(spec).println("swan: warning: " + w);
                pipeline.describe(m.plan()).forEach(out::println);
                if (!phases.timings().isEmpty()) out.println(phases.timings());
                Map<String, Object> evalJson = evalText != null ? evaluate(target, model.path(), plugins, s.threads(), out) : null;
                if (reportFile != null) {
                    ReportCommand.write(reportFile, new dev.swan.launcher.report.HtmlReport(m,
                            rp.format().sizer(model.config(), rp.formatParameters()), rp.format().id(), evalJson, target.toString()));
                    out.println("Wrote report " + reportFile);
                }
            }
        }
        return 0;
    }

    /** Whether a given manifest's measurements are allocated again: when any planning option was given. */
    private boolean replan(ResolvedPipeline rp) {
        AllocationPolicy p = rp.settings().policy();
        return p.target() != null || !p.overrides().isEmpty() || !p.protectedPatterns().isEmpty()
                || !p.sensitivePatterns().isEmpty() || !plan.sets.isEmpty() || baseline != null && (baseline.uniform != null || baseline.preset != null)
                || plan.allocator != null;
    }

    /** The output's quality line(s): the eval table of the output against its source. */
    private Map<String, Object> evaluate(Path target, Path source, PluginRegistry plugins, int threads, PrintStream out) throws Exception {
        try (EvalRun run = new EvalRun(List.of(target), source, plugins)) {
            int[] ids = run.ids(evalText, null);
            int ctx = run.context(evalCtx);
            ProgressLine progress = ProgressLine.forTerminal(out, "eval", root.quiet());
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                List<dev.swan.eval.Perplexity.Result> r = run.run(ids, new dev.swan.eval.Perplexity.Settings(ctx, 0),
                        progress, Parallel.of(pool));
                progress.finish();
                EvalReport.print(r, ctx, out);
                return EvalReport.json(r, ctx, evalText.toString());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * The format: as given with -f, else the one whose outputs are named like -o (a format that writes
     * {@code NAME.gguf} files for {@code -o out.gguf}); a name that contradicts -f is refused.
     */
    private String formatFor(PluginRegistry plugins) {
        if (output == null) return format;
        String name = output.getFileName() == null ? "" : output.getFileName().toString();
        String byName = null;
        for (var f : plugins.formats()) {
            String example = f.plugin().defaultOutputName("model");
            int dot = example.lastIndexOf('.');
            if (!f.plugin().writesDirectory() && dot > 0 && name.endsWith(example.substring(dot))) byName = f.id();
        }
        if (format == null) return byName;
        if (byName != null && !byName.equals(format) && plugins.hasFormat(format) && plugins.format(format).writesDirectory()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-o " + output + " names a " + byName
                    + " file but -f " + format + " writes a directory: drop -f, or name the output without that extension");
        }
        return format;
    }

    /** The default size target when none is given, announced in one line. */
    static PipelineSettings defaultTarget(PipelineSettings s, PluginRegistry plugins, ModelDir model,
                                          java.util.function.Consumer<String> announce) {
        return defaultTarget(s, Baselines.withDefaultTarget(s, plugins, model), announce);
    }

    /** {@code t}, the settings {@code s} with their default target if any, announced when it was added. */
    static PipelineSettings defaultTarget(PipelineSettings s, PipelineSettings t, java.util.function.Consumer<String> announce) {
        if (t != s) {
            announce.accept("No target given: planning for " + Format.count(t.policy().target().bytes()) + " bytes, "
                    + t.targetOrigin().source() + "; give --target-size or --target-bits for another size");
        }
        return t;
    }

    private PipelineSettings baseline(PipelineSettings s, PluginRegistry plugins) {
        boolean preset = baseline.preset != null;
        String name = preset ? baseline.preset : baseline.uniform;
        return Baselines.apply(s, name, preset, plugins).orElseThrow(() -> new picocli.CommandLine.ParameterException(
                spec.commandLine(), Baselines.unknown(s, name, preset, plugins)));
    }

    static long sizeOf(Path p) throws java.io.IOException {
        if (!Files.isDirectory(p)) return Files.size(p);
        long total = 0;
        try (var files = Files.walk(p)) {
            for (Path f : (Iterable<Path>) files::iterator) if (Files.isRegularFile(f)) total += Files.size(f);
        }
        return total;
    }

    /**
     * For a mixture of experts, the tensor data one token reads: everything outside the experts plus k/E of
     * the experts' bytes.
     */
    private static void printActive(WriteReport report, PrintStream out, dev.swan.api.model.ModelConfig config) {
        int experts = config.numExperts();
        int perToken = config.expertsPerToken().orElse(experts);
        if (experts <= 0) return;
        long all = 0;
        long expertBytes = 0;
        for (WriteReport.Written w : report.tensors()) {
            all += w.bytes();
            if (dev.swan.toolkit.model.ExpertWeight.parse(w.name()).isPresent()) expertBytes += w.bytes();
        }
        if (expertBytes == 0) return;
        out.println("Read per token (" + perToken + " of " + experts + " experts): "
                + Format.bytes(config.perToken(all, expertBytes)) + " of " + Format.bytes(all));
    }

    /** Tensors and parameters per stored type, effective bits per weight and total size. */
    static void printReport(WriteReport report, Path written, PrintStream out, dev.swan.api.model.ModelConfig config) {
        Map<String, long[]> byType = new TreeMap<>();
        long params = 0;
        long bytes = 0;
        int notes = 0;
        for (WriteReport.Written w : report.tensors()) {
            long[] acc = byType.computeIfAbsent(w.type(), k -> new long[3]);
            acc[0]++;
            acc[1] += w.params();
            acc[2] += w.bytes();
            params += w.params();
            bytes += w.bytes();
            if (!w.note().isEmpty()) notes++;
        }
        Table t = new Table("TYPE", "TENSORS>", "PARAMS>", "SHARE>", "BYTES>");
        for (Map.Entry<String, long[]> e : byType.entrySet()) {
            t.row(e.getKey(), e.getValue()[0], Format.count(e.getValue()[1]),
                    Format.fixed(100.0 * e.getValue()[1] / Math.max(1, params), 1) + "%", Format.bytes(e.getValue()[2]));
        }
        t.print(out);
        long files = bytes;
        try {
            files = dev.swan.launcher.pipeline.BitsPerWeight.weightFileBytes(written);
        } catch (java.io.IOException | RuntimeException e) {
            // the tensor data alone, if the output cannot be listed
        }
        out.println("Bits/weight: " + Format.fixed(dev.swan.launcher.pipeline.BitsPerWeight.of(files, params), 3)
                + " (weight files " + Format.bytes(files) + " over " + Format.count(params) + " stored weights; tensor data "
                + Format.bytes(bytes) + ")");
        printActive(report, out, config);
        if (notes > 0) {
            out.println(notes + " tensor(s) stored differently from the plan:");
            printNotes(report, out);
        }
    }

    /** One line per distinct reason, naming a few of its tensors: a real model repeats each reason per layer. */
    private static void printNotes(WriteReport report, PrintStream out) {
        Map<String, List<String>> byNote = new LinkedHashMap<>();
        for (WriteReport.Written w : report.tensors()) {
            if (!w.note().isEmpty()) byNote.computeIfAbsent(w.note(), k -> new ArrayList<>()).add(w.name());
        }
        for (Map.Entry<String, List<String>> e : byNote.entrySet()) {
            List<String> names = e.getValue();
            String shown = String.join(", ", names.subList(0, Math.min(3, names.size())))
                    + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "");
            out.println("  " + e.getKey() + " (" + names.size() + (names.size() == 1 ? " tensor: " : " tensors: ") + shown + ")");
        }
    }
}
