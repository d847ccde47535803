package dev.swan.launcher.pipeline;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationRequest;
import dev.swan.api.AnalysisShape;
import dev.swan.api.ConfigException;
import dev.swan.api.OutputFormat;
import dev.swan.api.Parameters;
import dev.swan.api.PluginException;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorSizer;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.VersionProvider;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The data path, top to bottom: model → analyses (metrics) → plan (allocator); formats write elsewhere. */
public final class Pipeline {
    private final PluginRegistry plugins;
    private final java.io.PrintStream out;
    private final java.io.PrintStream err;
    private final java.util.function.BiFunction<ResolvedPipeline, ModelDir, TensorAnalyzer> analyzers;

    public Pipeline(PluginRegistry plugins) {
        this(plugins, null, null);
    }

    /** A pipeline that tells the user when it resumes a journal ({@code out}) and what an interrupt keeps ({@code err}). */
    public Pipeline(PluginRegistry plugins, java.io.PrintStream out, java.io.PrintStream err) {
        this(plugins, out, err, null);
    }

    private Pipeline(PluginRegistry plugins, java.io.PrintStream out, java.io.PrintStream err,
                     java.util.function.BiFunction<ResolvedPipeline, ModelDir, TensorAnalyzer> analyzers) {
        this.plugins = plugins;
        this.out = out;
        this.err = err;
        this.analyzers = analyzers != null ? analyzers : this::engine;
    }

    /** The same pipeline measuring with {@code analyzers} (e.g. on a cluster) instead of this machine's engine. */
    public Pipeline analyzingWith(java.util.function.BiFunction<ResolvedPipeline, ModelDir, TensorAnalyzer> analyzers) {
        return new Pipeline(plugins, out, err, analyzers);
    }

    /** Sizers of every installed format (default parameters), for the summary's size predictions. */
    public Map<String, TensorSizer> sizers(ModelConfig config) {
        return sizers(config, null);
    }

    /**
     * Sizers of every installed format for the summary's size predictions: the plan's own format with the
     * parameters it is written with (a type chosen by --uniform, say), so the forecast is what the writer
     * will write; the other formats with their defaults.
     */
    public Map<String, TensorSizer> sizers(ModelConfig config, ResolvedPipeline rp) {
        Map<String, TensorSizer> out = new LinkedHashMap<>();
        if (rp != null && plugins.hasFormat(rp.settings().format())) out.put(rp.settings().format(), targetSizer(rp, config));
        for (LoadedPlugin<OutputFormat> f : plugins.formats()) {
            if (out.containsKey(f.id())) continue;
            Parameters p = Parameters.resolve(f.id(), f.plugin().parameters(), null, "defaults");
            out.put(f.id(), f.plugin().sizer(config, p));
        }
        return out;
    }

    /** The sizer of the format the plan is for: its budget is computed in that format's bytes. */
    public TensorSizer targetSizer(ResolvedPipeline rp, ModelConfig config) {
        if (rp.format() != null) return rp.format().sizer(config, rp.formatParameters());
        String id = rp.settings().format();
        if (plugins.hasFormat(id)) {
            OutputFormat f = plugins.format(id);
            return f.sizer(config, Parameters.resolve(id, f.parameters(), rp.settings().formatOptions(),
                    rp.settings().source()));
        }
        // no format installed: a nominal size, float bytes or bits plus a 32-bit scale pair per group
        return (t, bits, g) -> bits >= 16 ? t.params() * t.dtype().size()
                : t.params() * bits / 8 + t.rows() * (t.cols() / Math.max(1, g)) * 4;
    }

    /** The target format (and its parameters) a plan is made for, if it is installed. */
    private java.util.Optional<OutputFormat> targetFormat(ResolvedPipeline rp) {
        if (rp.format() != null) return java.util.Optional.of(rp.format());
        String id = rp.settings().format();
        return plugins.hasFormat(id) ? java.util.Optional.of(plugins.format(id)) : java.util.Optional.empty();
    }

    private Parameters targetParameters(ResolvedPipeline rp, OutputFormat f) {
        if (rp.format() != null) return rp.formatParameters();
        return Parameters.resolve(f.id(), f.parameters(), rp.settings().formatOptions(), rp.settings().source());
    }

    /**
     * Writes {@code m}'s plan in the pipeline's format to {@code target}: into a temporary sibling, renamed
     * over the target only when complete, removed on failure or interruption; then the measurement journal
     * kept beside the output (if any) is finished. The caller holds the output's lock.
     */
    public dev.swan.api.WriteReport write(ResolvedPipeline rp, ModelDir model, Manifest m, Path target, Path journalFor,
                                          dev.swan.api.ProgressSink progress, int threads, String provenance) throws Exception {
        Path tmp = AtomicOutput.temporaryFor(target);
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        Thread cleanup = AtomicOutput.deleteOnExit(tmp);
        try {
            dev.swan.api.WriteReport report = rp.format().write(model, m.plan(), tmp, new dev.swan.api.FormatContext(
                    rp.formatParameters(), dev.swan.api.numeric.Parallel.of(pool), progress, provenance, m.inputEnergies(),
                    method(m), target.toAbsolutePath().normalize().getFileName().toString()));
            AtomicOutput.commit(tmp, target);
            for (Map.Entry<Path, String> c : report.companions().entrySet()) {
                AtomicOutput.commit(c.getKey(), target.resolveSibling(c.getValue()));
            }
            if (journalFor != null) finishJournal(journalFor);
            return report;
        } catch (Exception | Error e) {
            AtomicOutput.deleteRecursively(tmp);
            AtomicOutput.deleteCompanions(tmp);
            if (e instanceof java.io.IOException && !(e instanceof java.nio.file.FileSystemException)) {
                // e.g. "No space left on device": the JDK's message names no file
                throw new dev.swan.api.OutputException(target, "cannot write: " + e.getMessage() + "; nothing was written", e);
            }
            throw e;
        } finally {
            pool.shutdownNow();
            AtomicOutput.keepOnExit(cleanup);
        }
    }

    /**
     * How {@code m}'s plan was made, in a sentence for model cards: the allocator that made it (its own
     * description), and what weighed each tensor's error.
     */
    String method(Manifest m) {
        String id = m.plan().allocator();
        String description = "";
        for (LoadedPlugin<dev.swan.api.BitAllocator> a : plugins.allocators()) {
            if (a.id().equals(id)) description = a.plugin().description();
        }
        long calibrated = m.tensors().stream().filter(t -> t.metrics().containsKey(SelfCalibrationStep.ID)).count();
        List<String> composite = new ArrayList<>();
        for (Map<String, Object> mi : m.metrics()) {
            if (mi.get("weight") instanceof Number w && w.doubleValue() > 0) composite.add(mi.get("id") + " " + w);
        }
        String weighed = calibrated > 0 ? "each tensor's error weighed by its sensitivity measured on text the model "
                + "wrote itself (the Fisher information of its own output, one backward pass; no dataset)"
                : !composite.isEmpty() ? "each tensor scored by the data-free metrics " + String.join(", ", composite)
                : "no per-tensor measurement";
        return "allocator " + id + (description.isEmpty() ? "" : " (" + description + ")") + "; " + weighed + ".";
    }

    /** What the plan's allocator says about it (nothing when that allocator is not installed). */
    public List<String> describe(dev.swan.api.AllocationPlan plan) {
        for (LoadedPlugin<dev.swan.api.BitAllocator> a : plugins.allocators()) {
            if (a.id().equals(plan.allocator())) return a.plugin().describe(plan);
        }
        return List.of();
    }

    /**
     * The engine that measures {@code model} with the pipeline's metrics, seed and threads; the encodings it
     * measures are those the allocator may use at the plan's target.
     */
    public AnalysisEngine engine(ResolvedPipeline rp, ModelDir model) {
        List<OutputFormat> formats = new ArrayList<>();
        for (LoadedPlugin<OutputFormat> f : plugins.formats()) formats.add(f.plugin());
        var all = encodings(rp, model.config());
        java.util.function.Predicate<dev.swan.api.Encoding> usable;
        try {
            usable = rp.allocator().candidates(shapesOnly(rp, model));
        } catch (ConfigException e) {
            throw atTarget(rp, e, "");
        }
        return new AnalysisEngine(rp.metrics(), formats, rp.settings().seed(), rp.settings().threads(),
                AnalysisEngine.defaultMemoryBudget(), t -> all.apply(t).stream().filter(usable).toList());
    }

    /** Every way the target format can store each tensor, with exact bytes (empty without a format). */
    public java.util.function.Function<TensorAnalysis, List<dev.swan.api.Encoding>> encodings(ResolvedPipeline rp,
                                                                                              ModelConfig config) {
        java.util.Optional<OutputFormat> f = targetFormat(rp);
        if (f.isEmpty()) return t -> List.of();
        Parameters p = targetParameters(rp, f.get());
        return t -> f.get().encodings(t, config, p);
    }

    /**
     * Analyses {@code model} and plans it. With {@code journalFor} set, finished tensors are journaled next
     * to it so an interrupted run resumes where it stopped.
     */
    public Manifest analyze(ResolvedPipeline rp, ModelDir model, Path journalFor, boolean restart, Phases phases)
            throws IOException {
        long t0 = System.nanoTime();
        preflight(rp, model);
        String fingerprint = Fingerprint.of(model);
        List<Map<String, Object>> metricInfo = new ArrayList<>();
        List<Map<String, Object>> identityMetrics = new ArrayList<>();
        for (ResolvedPipeline.ResolvedMetric m : rp.metrics()) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("id", m.id());
            info.put("version", m.metric().version());
            info.put("weight", m.weight());
            info.put("parameters", new TreeMap<>(m.parameters().asMap()));
            metricInfo.add(info);
            identityMetrics.add(dev.swan.toolkit.json.Json.object("id", m.id(), "version", m.metric().version(),
                    "parameters", new TreeMap<>(m.parameters().asMap())));
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("fingerprint", fingerprint);
        identity.put("seed", rp.settings().seed());
        identity.put("metrics", identityMetrics);
        List<AnalysisEngine.Measured> measured;
        AnalysisJournal journal = journalFor == null ? null : AnalysisJournal.open(journalFor, identity, restart);
        try (TensorAnalyzer engine = analyzers.apply(rp, model)) {
            Map<String, AnalysisEngine.Measured> done = journal == null ? Map.of() : journal.done();
            int total = model.tensors().size();
            if (!done.isEmpty() && out != null) {
                out.println("Resuming an interrupted run: " + done.size() + " of " + total + " tensors kept from "
                        + journal.file() + " (--restart discards them)");
            }
            if (journal != null && journal.rejected() > 0 && out != null) {
                out.println("Note: " + journal.rejected() + " record(s) of " + journal.file() + " failed their checksum "
                        + "(edited, or from another run) and are measured again");
            }
            Thread hook = journal == null || err == null ? null : new Thread(() -> {
                err.println();
                err.println("swan: interrupted: " + journal.count() + " of " + total + " tensors measured are kept in "
                        + journal.file() + "; run the same command again to resume");
                err.flush();
            }, "swan-interrupt-notice");
            if (hook != null) Runtime.getRuntime().addShutdownHook(hook);
            try {
                ProgressSink progress = phases.start(Phases.ANALYZE);
                measured = engine.analyze(model, done, m -> {
                    if (journal != null) journal.append(m);
                }, progress);
                phases.end(Phases.ANALYZE);
            } finally {
                if (hook != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running: the JVM is stopping
                    }
                }
            }
        } catch (RuntimeException e) {
            if (journal == null) throw e;
            journal.close();
            if (e instanceof PluginException pe && pe.tensor() != null) {
                throw new PluginException(pe.pluginId(), pe.tensor(), pe.problem() + "; the tensors measured so far are "
                        + "kept in " + AnalysisJournal.pathFor(journalFor) + " for a re-run with the same output",
                        pe.getCause());
            }
            throw e;
        }
        List<TensorAnalysis> tensors = new ArrayList<>();
        Map<String, Map<String, Double>> seconds = new LinkedHashMap<>();
        for (AnalysisEngine.Measured m : measured) {
            tensors.add(m.analysis());
            seconds.put(m.analysis().name(), m.seconds());
        }
        Map<String, float[]> energies = Map.of();
        boolean asked = rp.settings().selfCalibrate() > 0;
        // a baseline (--uniform, --preset) reads no measurement, but asked for it, it gets self-calibration's
        // importance matrix: what the i-quants llama-quantize writes only with data then quantize with
        if (rp.settings().selfCalibrates() && (rp.allocator().usesMetrics() || asked)) {
            SelfCalibrationStep.Result sc = SelfCalibrationStep.attach(model, tensors, rp.settings(),
                    rp.settings().selfCalibrateTokens(), asked, phases);
            tensors = sc.tensors();
            energies = sc.inputEnergies();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Manifest m = new Manifest(VersionProvider.version(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                model.location(), model.config().raw(), fingerprint, rp.settings().seed(), metricInfo, tensors,
                seconds, Map.of(), Map.of(), new AllocationPlan("none", Map.of(), List.of()), wall, energies);
        try {
            return allocate(m, rp, model.config(), rp.settings().weights());
        } catch (ConfigException e) {
            throw atTarget(rp, e, journal == null ? ""
                    : " (the measurements are kept: run again with the same output to reuse them)");
        } finally {
            if (journal != null) journal.close();
        }
    }

    /**
     * Lets the allocator refuse what no measurement could satisfy (an unreachable budget) from the
     * tensor shapes alone, before the analysis spends hours; the error points at where the target was set.
     */
    public void preflight(ResolvedPipeline rp, ModelDir model) {
        if (!rp.metrics().isEmpty()) AnalysisEngine.checkHeap(model, Runtime.getRuntime().maxMemory(), rp.metrics());
        AllocationRequest req = shapesOnly(rp, model);
        try {
            rp.allocator().preflight(req);
        } catch (ConfigException e) {
            throw atTarget(rp, e, "");
        }
    }

    /** The allocation request the tensor shapes give before anything is measured. */
    private AllocationRequest shapesOnly(ResolvedPipeline rp, ModelDir model) {
        List<TensorAnalysis> shapes = new ArrayList<>();
        for (TensorInfo t : model.tensors()) {
            AnalysisShape shape = AnalysisShape.of(t);
            shapes.add(new TensorAnalysis(t.name(), t.dtype(), t.shape(), model.classOf(t),
                    shape.analysed() ? null : shape.skipReason(), Map.of()));
        }
        Map<String, List<dev.swan.api.Encoding>> encodings = new LinkedHashMap<>();
        var candidates = encodings(rp, model.config());
        for (TensorAnalysis t : shapes) encodings.put(t.name(), candidates.apply(t));
        return new AllocationRequest(shapes, rp.settings().weights(), rp.settings().policy(),
                rp.allocatorParameters(), targetSizer(rp, model.config()), encodings, Map.of());
    }

    /**
     * An allocator's error, which knows no file or option, placed where the budget target was set;
     * {@code suffix} is appended to the problem.
     */
    private static ConfigException atTarget(ResolvedPipeline rp, ConfigException e, String suffix) {
        SettingOrigin at = rp.settings().targetOrigin();
        if (e.source() == null && at.source() != null) return at.error(e.problem() + suffix);
        return suffix.isEmpty() ? e : new ConfigException(e.source(), e.line(), e.column(), e.problem() + suffix);
    }

    /** Closes out a journaled analysis once its manifest is written. */
    public static void finishJournal(Path manifest) throws IOException {
        java.nio.file.Files.deleteIfExists(AnalysisJournal.pathFor(manifest));
    }

    /** Plans (or re-plans) a manifest with the pipeline's allocator, policy and {@code weights}; no metric runs. */
    public Manifest allocate(Manifest m, ResolvedPipeline rp, ModelConfig config, Map<String, Double> weights) {
        refuseOtherFormat(m, rp, "re-plan it");
        if (rp.allocator().readsComposite() && !m.tensors().isEmpty()
                && weights.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
            List<String> paper = new ArrayList<>();
            for (MetricChoice c : PipelineSettings.paperMetrics()) paper.add(c.id());
            throw new ConfigException("the plan's measurements hold no weighted metric, and allocator '"
                    + rp.allocator().id() + "' plans from their composite (by default " + String.join(", ", paper)
                    + ", which the default rd plan does not measure): analyze with --allocator " + rp.allocator().id()
                    + ", or list the metrics with --metrics");
        }
        Map<String, List<dev.swan.api.Encoding>> encodings = new LinkedHashMap<>();
        var candidates = encodings(rp, config);
        Map<String, dev.swan.api.Sensitivity> sensitivity = new LinkedHashMap<>();
        for (TensorAnalysis t : m.tensors()) {
            encodings.put(t.name(), candidates.apply(t));
            dev.swan.api.MetricResult s = t.metrics().get(SelfCalibrationStep.ID);
            if (s != null) sensitivity.put(t.name(), SelfCalibrationStep.decode(s));
        }
        AllocationRequest req = new AllocationRequest(m.tensors(), weights, rp.settings().policy(),
                rp.allocatorParameters(), targetSizer(rp, config), encodings, sensitivity);
        AllocationPlan plan = rp.allocator().allocate(req, ProgressSink.NONE);
        Map<String, Object> allocator = new LinkedHashMap<>();
        allocator.put("id", rp.allocator().id());
        allocator.put("version", rp.allocator().version());
        allocator.put("parameters", new TreeMap<>(rp.allocatorParameters().asMap()));
        allocator.put("sized_for", rp.settings().format());
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (Map<String, Object> mi : m.metrics()) {
            Map<String, Object> copy = new LinkedHashMap<>(mi);
            if (weights.containsKey(mi.get("id"))) copy.put("weight", weights.get(mi.get("id")));
            metrics.add(copy);
        }
        Manifest withWeights = new Manifest(m.swanVersion(), m.created(), m.modelPath(), m.modelConfig(), m.fingerprint(),
                m.seed(), metrics, m.tensors(), m.seconds(), m.allocator(), m.policy(), m.plan(), m.analysisSeconds(), m.inputEnergies());
        return withWeights.withPlan(allocator, Json.MAPPER.convertValue(rp.settings().policy(), Json.MAP), plan);
    }

    /**
     * A plan made for one format and used for another: an allocator that chose among the first format's
     * encodings (their measured errors are all it has) cannot plan the second, nor can its plan be written
     * there; refused in one line instead of falling back to float. A plan from the format-independent
     * metrics (a composite allocator's) can be made again for any format.
     */
    public static void refuseOtherFormat(Manifest m, ResolvedPipeline rp, String action) {
        Object sizedFor = m.allocator().get("sized_for");
        String format = rp.settings().format();
        if (!(sizedFor instanceof String f) || f.equals(format) || rp.allocator().readsComposite()) return;
        throw new ConfigException("the plan was made for " + f + ": its measurements are the errors of " + f
                + "'s encodings, none of " + format + "'s; analyze the model with -f " + format + " to " + action
                + " for " + format + ", or write it with -f " + f);
    }

    /**
     * A saved plan whose decisions name encodings the format being written does not offer ({@code Q4_K} for
     * an MLX output): refused in one line instead of leaving those tensors in float.
     */
    public void refuseOtherEncodings(Manifest m, ResolvedPipeline rp, ModelConfig config) {
        var candidates = encodings(rp, config);
        String format = rp.settings().format();
        Object sizedFor = m.allocator().get("sized_for");
        for (int i = 0; i < m.tensors().size(); i++) {
            dev.swan.api.TensorDecision d = m.plan().decisions().get(i);
            String e = d.encoding();
            if (e == null || e.isEmpty() || d.bits() >= 16) continue;
            boolean offered = candidates.apply(m.tensors().get(i)).stream().anyMatch(c -> c.id().equals(e));
            if (!offered) {
                String other = sizedFor instanceof String f && !f.equals(format) ? f : "another format";
                throw new ConfigException("the plan was made for " + other + " (" + d.name() + " as " + e + ", which "
                        + format + " does not store): " + (sizedFor instanceof String f && !f.equals(format)
                        ? "write it with -f " + f + ", or " : "") + "analyze the model with -f " + format + " for a "
                        + format + " plan");
            }
        }
    }

    /** The config a manifest was made from, for sizers. */
    public static ModelConfig config(Manifest m) {
        return new ModelConfig(Path.of(m.modelPath(), ModelDir.CONFIG), m.modelConfig());
    }

    /** The policy a manifest was planned with; a policy the records refuse (an edited manifest) is one line. */
    public static dev.swan.api.AllocationPolicy policy(Manifest m) {
        if (m.policy() == null) return dev.swan.api.AllocationPolicy.defaults();
        Map<String, Object> p = new LinkedHashMap<>(m.policy());
        for (String list : List.of("protected", "sensitive", "overrides")) p.putIfAbsent(list, List.of());
        if (!(p.get("group_sizes") instanceof Map<?, ?> g) || g.isEmpty()) {
            p.put("group_sizes", dev.swan.api.AllocationPolicy.defaultGroupSizes());
        }
        try {
            return Json.MAPPER.convertValue(p, dev.swan.api.AllocationPolicy.class);
        } catch (IllegalArgumentException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new dev.swan.api.ConfigException("the manifest's policy is not one swan writes (" + root.getMessage()
                    + "): analyze the model again");
        }
    }
}
