package dev.swan.launcher.cli;

import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.OutputException;
import dev.swan.api.OutputFormat;
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
                "Baselines: --uniform 4 (MLX, like mlx_lm.convert -q), --preset mixed_3_6 (MLX, like mlx_lm.convert "
                + "--quant-predicate mixed_3_6), --uniform Q4_0 (GGUF, like llama-quantize --pure), --preset Q4_K_M (GGUF, "
                + "like llama-quantize Q4_K_M: its per-tensor recipe), each byte for byte."})
public final class QuantizeCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL_DIR", arity = "0..4", description = "Model directory (or 'model:' in --config); "
            + "llama-quantize's order works too: MODEL_DIR [OUT] TYPE [NTHREADS] (a GGUF recipe or, with --pure, a type).")
    List<String> positionals = new java.util.ArrayList<>();

    Path modelDir;

    @Option(names = "--hf-path", paramLabel = "MODEL", description = "mlx_lm.convert's: the model (a folder or a Hugging "
            + "Face id, downloaded when not in the cache), as MODEL_DIR.")
    String hfPath;

    @Option(names = "--mlx-path", paramLabel = "DIR", description = "mlx_lm.convert's: the MLX output folder, as -f mlx -o DIR.")
    Path mlxPath;


    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Output directory (mlx) or file (gguf); default <model>-swan-<format>.")
    Path output;

    @Option(names = {"-f", "--format"}, paramLabel = "ID", description = "Output format: mlx (default) or gguf, or any installed format.")
    String format;


    @Option(names = "--manifest", paramLabel = "MANIFEST.json", description = "Use the plan of a manifest from 'swan analyze'/'swan allocate' (no metric is recomputed).")
    Path manifest;

    /** A baseline instead of SWAN: one of the two. */
    static final class Baseline {
        @Option(names = "--uniform", paramLabel = "BITS|TYPE",
                description = "Baseline instead of SWAN: every quantizable tensor at BITS (e.g. 4), or at a format type (e.g. "
                        + "Q4_0, Q8_0, F16 for gguf).")
        String uniform;

        @Option(names = "--preset", paramLabel = "NAME",
                description = "Baseline instead of SWAN: the runtime's own recipe of that name: Q4_K_M, Q3_K_M, Q5_K_M, Q4_0 ... "
                        + "for gguf (llama-quantize's per-tensor rules, without an importance matrix); mixed_2_6, mixed_3_4, "
                        + "mixed_3_6, mixed_4_6 for mlx (mlx_lm.convert's --quant-predicate recipes).")
        String preset;

        @Option(names = "--q-bits", paramLabel = "BITS", description = "mlx_lm.convert's name for --uniform BITS.")
        void qBits(String bits) {
            uniform = bits;
        }

        @Option(names = "--quant-predicate", paramLabel = "RECIPE", description = "mlx_lm.convert's name for --preset RECIPE.")
        void quantPredicate(String recipe) {
            preset = recipe;
        }
    }

    @picocli.CommandLine.ArgGroup(exclusive = true)
    Baseline baseline = new Baseline();

    @Option(names = "--q-group-size", paramLabel = "GROUP",
            description = "mlx_lm.convert's group size for --q-bits/--uniform (default 64); alone: --uniform 4 in groups of GROUP.")
    Integer qGroupSize;

    @Option(names = "--pure", description = "llama-quantize's --pure: TYPE (or --preset TYPE) for every tensor, no recipe.")
    boolean pure;

    @Option(names = "--output-tensor-type", paramLabel = "TYPE",
            description = "llama-quantize's: the output head as TYPE (a tied model's embedding, which serves as the head).")
    String outputTensorType;

    @Option(names = "--token-embedding-type", paramLabel = "TYPE", description = "llama-quantize's: the token embedding as TYPE.")
    String tokenEmbeddingType;

    @Option(names = "--leave-output-tensor", description = "llama-quantize's: keep the output head in its source float type.")
    boolean leaveOutputTensor;

    @Option(names = "--override-kv", paramLabel = "KEY=TYPE:VALUE", description = "llama-quantize's: set a metadata "
            + "key of the output (TYPE int, float, bool or str; repeatable), e.g. qwen3.context_length=int:8192.")
    List<String> overrideKv = new java.util.ArrayList<>();

    @Option(names = "--prune-layers", paramLabel = "N,N...", split = ",", description = "llama-quantize's: leave these "
            + "decoder layers (0-based) out; later layers are renumbered and the layer count shortened. Any format.")
    java.util.TreeSet<Integer> pruneLayers = new java.util.TreeSet<>();

    @Option(names = "--q-mode", paramLabel = "MODE", description = "mlx_lm.convert's: how quantized weights are stored: "
            + "affine (default), mxfp4, nvfp4 or mxfp8 (with --uniform or -q style baselines: every quantizable weight in it).")
    String qMode;

    @Option(names = "--keep-split", description = "llama-quantize's: a split GGUF source gives a split output, tensor "
            + "for tensor in the same part, named OUT-0000i-of-0000N.gguf (OUT without .gguf).")
    boolean keepSplit;

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "mlx_lm.convert's: the float type of the output's "
            + "unquantized tensors, scales and biases (bfloat16, float16, float32).")
    String dtype;

    @Option(names = {"-d", "--dequantize"}, description = "mlx_lm.convert's: write a quantized MLX model's weights "
            + "back in float (dequantized as MLX does, in the model's float type); any output format.")
    boolean dequantize;

    @Option(names = "--allow-requantize", description = "llama-quantize's: accept a GGUF whose weights are already "
            + "quantized (dequantized tensor by tensor, then quantized again; quality is lower than from the float weights).")
    boolean allowRequantize;

    @Option(names = "--tensor-type", paramLabel = "NAME_REGEX=TYPE",
            description = "llama-quantize's: TYPE for the tensors whose name in the output (GGUF: blk.0.attn_v.weight) "
                    + "matches; first match wins (repeatable). --override does the same by Hugging Face names.")
    List<String> tensorTypes = new java.util.ArrayList<>();

    @Option(names = "--tensor-type-file", paramLabel = "FILE", description = "llama-quantize's: --tensor-type entries, "
            + "separated by spaces or newlines.")
    Path tensorTypeFile;

    @Option(names = "--dry-run", description = "Plan and print the predicted sizes, write nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Replace an existing output.")
    boolean force;

    @Option(names = "--restart", description = "Discard the measurements of an interrupted run instead of resuming them.")
    boolean restart;

    @Option(names = "--eval", paramLabel = "TEXT",
            description = "After writing, score the output against the source on this UTF-8 text (as 'swan eval OUT --base MODEL_DIR --text TEXT').")
    Path evalText;

    @Option(names = "--card",
            description = "With --eval: also write the output's model card (an MLX folder's README.md, a GGUF's sidecar "
                    + "NAME.md) from that evaluation, with the format's usual baseline (mlx_lm.convert -q, llama-quantize "
                    + "Q4_K_M) written beside the output, scored with it and removed, as 'swan card OUT --results' would table them.")
    boolean writeCard;

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
        if (writeCard && evalText == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--card needs --eval TEXT: the card's results "
                    + "table comes from that evaluation (or run swan eval and swan card afterwards)");
        }
        if (evalText != null && !Files.isRegularFile(evalText)) {
            throw new dev.swan.eval.EvalException(evalText + ": no such text file (--eval)");
        }
        try (PluginRegistry plugins = root.plugins(plan.pipelinePluginDirs())) {
            llamaQuantizeOrder(plugins);
            PipelineSettings s = plan.forModel(plugins, spec, modelDir, formatFor(plugins));
            if (qGroupSize != null && (baseline == null || baseline.uniform == null && baseline.preset == null)) {
                // mlx_lm.convert -q --q-group-size N: its default 4 bits in groups of N
                if (baseline == null) baseline = new Baseline();
                baseline.uniform = "4";
            }
            if (dequantize) {
                if (baseline != null && (baseline.uniform != null || baseline.preset != null)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-d writes float weights: "
                            + "give it without --uniform, --preset or TYPE");
                }
                if (baseline == null) baseline = new Baseline();
                baseline.uniform = "8";
            }
            if (baseline != null && (baseline.uniform != null || baseline.preset != null)) s = baseline(s, plugins);
            if (dequantize) {
                // every tensor in float: the uniform plan with one override above all others
                dev.swan.api.AllocationPolicy p = s.policy();
                List<dev.swan.api.AllocationPolicy.Override> all = new java.util.ArrayList<>();
                all.add(new dev.swan.api.AllocationPolicy.Override(".*", 16, 0, ""));
                all.addAll(p.overrides());
                s = s.withPolicy(new dev.swan.api.AllocationPolicy(p.protectedPatterns(), p.sensitivePatterns(), all,
                        p.groupSizes(), p.target()));
            }
            Map<String, List<String>> peer = new java.util.LinkedHashMap<>();
            if (dtype != null) peer.put("--dtype", List.of(dtype));
            if (qMode != null) peer.put("--q-mode", List.of(qMode));
            if (!overrideKv.isEmpty()) peer.put("--override-kv", overrideKv);
            if (keepSplit) peer.put("--keep-split", List.of("true"));
            s = PeerOptions.apply(s, plugins, peer, spec.commandLine());
            if (pruneLayers.stream().anyMatch(n -> n < 0)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prune-layers: layer ids are 0 or more");
            }
            try (ModelDir model = dev.swan.launcher.pipeline.PrunedModel.of(dev.swan.launcher.pipeline.ModelSources.open(
                    s.model(), plugins, allowRequantize || dequantize, dev.swan.launcher.ui.ProgressLine.forTerminal(out, "download",
                    root.quiet())), pruneLayers)) {
                PhaseLines phases = new PhaseLines(out, root.quiet());
                List<String> types = new java.util.ArrayList<>(tensorTypes);
                if (tensorTypeFile != null) types.addAll(LlamaQuantizeOptions.readTensorTypeFile(tensorTypeFile));
                s = LlamaQuantizeOptions.apply(s, model, plugins.hasFormat(s.format()) ? plugins.format(s.format()) : null,
                        new LlamaQuantizeOptions(outputTensorType, tokenEmbeddingType, leaveOutputTensor, pure, types));
                if (manifest == null) s = defaultTarget(s, plugins, model, phases::announce);
                ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, manifest == null, true);
                rp.format().check(model, rp.formatParameters());
                Path given = output != null ? output : s.output() != null ? s.output()
                        : Path.of(rp.format().defaultOutputName(model.name()));
                int parts = model.shardFiles().size();
                if (keepSplit && parts > 1) {
                    // llama-quantize's names: OUT (without .gguf) as the prefix of every part
                    String prefix = given.getFileName().toString().replaceAll("(?i)\\.gguf$", "");
                    for (int i = 2; i <= parts; i++) {
                        dev.swan.launcher.pipeline.AtomicOutput.prepare(given.resolveSibling(splitName(prefix, i, parts)), model.path(), force,
                                dev.swan.launcher.pipeline.OutputKind.of(rp.format()));
                    }
                    given = given.resolveSibling(splitName(prefix, 1, parts));
                }
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
                Path cardBaseline = writeCard ? cardBaseline(model.path(), target, rp.format()) : null;
                Map<String, Object> evalJson;
                try {
                    List<Path> scored = cardBaseline == null ? List.of(target) : List.of(target, cardBaseline);
                    evalJson = evalText != null ? evaluate(scored, model.path(), plugins, s.threads(), out) : null;
                    if (writeCard && evalJson != null) {
                        Path card = CardCommand.write(target, List.of(new java.util.AbstractMap.SimpleEntry<>(target,
                                dev.swan.launcher.pipeline.Json.MAPPER.valueToTree(evalJson))), null, null, force, plugins);
                        out.println("Wrote card " + card);
                    }
                } finally {
                    if (cardBaseline != null) dev.swan.launcher.pipeline.AtomicOutput.deleteRecursively(cardBaseline);
                }
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

    /**
     * For the card: the format's usual baseline (what its users get by default: mlx_lm.convert -q,
     * llama-quantize Q4_K_M) written beside the output, to be scored with it and deleted after; null when the
     * format names none.
     */
    private Path cardBaseline(Path source, Path target, OutputFormat format) {
        Optional<String> name = format.defaultSizeBaseline();
        if (name.isEmpty()) return null;
        boolean recipe = format.baseline(name.get(), true).isPresent();
        String file = target.getFileName().toString();
        String ext = file.endsWith(".gguf") ? ".gguf" : "";
        Path out = target.resolveSibling(file.substring(0, file.length() - ext.length()) + "-baseline-"
                + (recipe ? "" : "uniform") + name.get() + ext);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = dev.swan.launcher.Main.run(new String[] {"quantize", source.toString(), "-o", out.toString(), "-f", format.id(),
            recipe ? "--preset" : "--uniform", name.get(), "-q"}, new PrintStream(java.io.OutputStream.nullOutputStream()),
                new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        if (code != 0) {
            throw new OutputException(out, "the card's baseline (" + name.get() + ") could not be written: "
                    + err.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
        }
        return out;
    }

    /** The quality line(s) of {@code targets}: the eval table of each against the source. */
    private Map<String, Object> evaluate(List<Path> targets, Path source, PluginRegistry plugins, int threads, PrintStream out)
            throws Exception {
        try (EvalRun run = new EvalRun(targets, source, plugins)) {
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
    /**
     * llama-quantize's positional order, MODEL [OUT] TYPE [NTHREADS], as it reads it: the word after the model
     * is the type when it names one, else the output; without OUT the file is ggml-model-TYPE.gguf beside the
     * model. TYPE is GGUF's recipe of that name, or with --pure that type for every tensor.
     */
    private void llamaQuantizeOrder(PluginRegistry plugins) {
        if (hfPath != null) {
            // mlx_lm.convert --hf-path MODEL --mlx-path OUT
            if (!positionals.isEmpty()) throw usage("the model is given twice (MODEL_DIR and --hf-path): give one");
            positionals = new java.util.ArrayList<>(List.of(hfPath));
        }
        if (mlxPath != null) {
            if (output != null) throw usage("the output is given twice (-o and --mlx-path): give one");
            if (format != null && !format.equals("mlx")) throw usage("--mlx-path writes MLX, not " + format);
            output = mlxPath;
            format = "mlx";
        }
        if (baseline == null) baseline = new Baseline();
        if (!positionals.isEmpty()) modelDir = Path.of(positionals.get(0));
        if (positionals.size() <= 1) {
            if (pure && baseline.preset != null) {
                baseline.uniform = baseline.preset;
                baseline.preset = null;
            } else if (pure && baseline.uniform == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pure needs a TYPE (MODEL_DIR OUT TYPE, or --preset TYPE)");
            }
            return;
        }
        java.util.function.Predicate<String> isType = n -> plugins.hasFormat("gguf")
                && plugins.format("gguf").baseline(n, true).isPresent();
        List<String> rest = positionals.subList(1, positionals.size());
        String type;
        Path out;
        String threads;
        if (isType.test(rest.get(0))) {
            if (rest.size() > 2) throw usage("after MODEL_DIR TYPE only NTHREADS may follow");
            type = rest.get(0);
            threads = rest.size() == 2 ? rest.get(1) : null;
            Path parent = modelDir.toAbsolutePath().normalize().getParent();
            out = (parent == null ? Path.of("") : parent).resolve("ggml-model-" + type + ".gguf");
        } else {
            if (rest.size() < 2) throw usage("'" + rest.get(0) + "' is no GGUF type, so it is the output, and TYPE is missing");
            out = Path.of(rest.get(0));
            type = rest.get(1);
            if (!isType.test(type)) throw usage("'" + type + "' is no GGUF type or recipe (e.g. Q4_K_M, Q8_0, Q4_0)");
            threads = rest.size() == 3 ? rest.get(2) : null;
        }
        if (output != null) throw usage("the output is given twice (OUT and -o): give one");
        if (baseline.preset != null || baseline.uniform != null) throw usage("TYPE and --preset/--uniform: give one");
        output = out;
        if (format == null) format = "gguf";
        if (pure) baseline.uniform = type;
        else baseline.preset = type;
        if (threads != null) {
            try {
                plan.threads = Integer.parseInt(threads);
            } catch (NumberFormatException e) {
                throw usage("NTHREADS '" + threads + "' is not a number");
            }
        }
    }

    private picocli.CommandLine.ParameterException usage(String problem) {
        return new picocli.CommandLine.ParameterException(spec.commandLine(), "MODEL_DIR [OUT] TYPE [NTHREADS]: " + problem);
    }

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
        if (preset && qGroupSize != null && qGroupSize != 64) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--q-group-size " + qGroupSize
                    + " with a recipe: the recipes are written in groups of 64 (mlx_lm.convert's default)");
        }
        if (!preset && !name.matches("\\d+") && qGroupSize != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--q-group-size applies to a bit width "
                    + "(--q-bits 4), not to the type " + name + ", whose blocks are fixed");
        }
        if (!preset && name.matches("\\d+")) {
            // a group size given for this width (--q-group-size, or --group-size BITS=GROUP) applies to the baseline
            Integer group = qGroupSize != null ? qGroupSize : plan.groupSizes.get(Integer.parseInt(name));
            if (group != null) name = name + "/" + group;
        }
        String named = name;
        return Baselines.apply(s, named, preset, plugins).orElseThrow(() -> new picocli.CommandLine.ParameterException(
                spec.commandLine(), Baselines.unknown(s, named, preset, plugins)));
    }

    private static String splitName(String prefix, int part, int parts) {
        return String.format(java.util.Locale.ROOT, "%s-%05d-of-%05d.gguf", prefix, part, parts);
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
