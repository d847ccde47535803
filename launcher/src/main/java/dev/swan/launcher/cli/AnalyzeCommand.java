package dev.swan.launcher.cli;

import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.pipeline.Baselines;
import dev.swan.launcher.pipeline.DistributedAnalysis;
import dev.swan.launcher.pipeline.Manifest;
import dev.swan.launcher.pipeline.ManifestIO;
import dev.swan.launcher.pipeline.Pipeline;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.pipeline.Summary;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan analyze}: run the metrics on every tensor, plan, and write the manifest. */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure every tensor with the configured metrics, allocate bits, and write a manifest "
                + "(per-tensor raw values, scores, composite, decision and reason, plus a summary with the "
                + "predicted size per output format). Nothing else is written: this is also the dry run.",
                "An interrupted analysis resumes when re-run with the same output path."})
public final class AnalyzeCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL_DIR", arity = "0..1", description = "Model directory (or 'model:' in --config); "
            + "with --spark also a Hadoop file system URI (hdfs://, s3a://, ...) the executors read it from.")
    String modelDir;

    @Option(names = {"-o", "--output"}, paramLabel = "MANIFEST.json",
            description = "Manifest to write (default: <model>.swan.json in the current folder).")
    Path output;

    @Option(names = {"-f", "--format"}, paramLabel = "ID", description = "Format whose sizes budgets are computed in (default: mlx).")
    String format;

    @Option(names = "--force", description = "Replace an existing manifest.")
    boolean force;

    @Option(names = "--restart", description = "Discard the partial results of an interrupted run instead of resuming.")
    boolean restart;

    @Option(names = "--allow-requantize", description = "Accept a GGUF whose weights are already quantized (measured "
            + "dequantized, as 'quantize --allow-requantize' would quantize them).")
    boolean allowRequantize;

    @Option(names = "--dry-run", description = "Forecast instead: tensors to measure by shape, the time on this machine "
            + "(the metrics timed once per distinct shape on a random stand-in) and output sizes; reads no weight, writes nothing.")
    boolean dryRun;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Measure on an Apache Spark cluster (e.g. spark://host:7077, yarn, local[4]): one task per "
                    + "tensor, the same manifest. Needs the swan-spark jar and Spark on the class path "
                    + "(SWAN_CLASSPATH), the model on storage every executor sees, and the plugins on the executors.")
    String spark;

    @Mixin
    PlanOptions plan;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        try (PluginRegistry plugins = root.plugins(plan.pipelinePluginDirs());
             ModelDir remote = remoteModel()) {
            PipelineSettings s = plan.forModel(plugins, spec, remote != null ? remote.path() : modelDir == null ? null
                    : Path.of(modelDir), format);
            try (ModelDir model = remote != null ? remote
                    : dev.swan.launcher.pipeline.ModelSources.open(s.model(), plugins, allowRequantize,
                            dev.swan.launcher.ui.ProgressLine.forTerminal(out, "download", root.quiet()))) {
                dev.swan.toolkit.model.DenseShapes.check(model);
                PhaseLines phases = new PhaseLines(out, root.quiet());
                s = QuantizeCommand.defaultTarget(s, plugins, model, dryRun ? out::println : phases::announce);
                ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, true, false);
                if (dryRun) {
                    Pipeline pipeline = new Pipeline(plugins, out, Io.err(spec));
                    try (var engine = pipeline.engine(rp, model)) {
                        dev.swan.launcher.pipeline.AnalysisForecast.of(model, engine, s.threads())
                                .print(out, model, pipeline.sizers(model.config(), rp));
                    }
                    return 0;
                }
                Path given = output != null ? output : Path.of(model.name() + ".swan.json");
                AtomicOutput.refuseOverlap(given, model.path());
                Path target = AtomicOutput.resolve(given);
                try (AtomicOutput.Lock lock = AtomicOutput.lock(target)) {
                    AtomicOutput.prepare(given, model.path(), force, dev.swan.launcher.pipeline.OutputKind.MANIFEST);
                Pipeline pipeline = new Pipeline(plugins, out, Io.err(spec));
                if (spark != null) pipeline = pipeline.analyzingWith(distributed("spark", spark));
                Manifest m;
                try (PhaseLines.Interruption notice = phases.onInterrupt(Io.err(spec), given.toString(),
                        "the measurements finished so far are kept beside it (" + given.getFileName()
                                + ".partial): the same command resumes them")) {
                    m = pipeline.analyze(rp, model, target, restart, phases);
                }
                Summary summary = Summary.of(m, pipeline.sizers(model.config(), rp));
                ManifestIO.write(target, m, summary);
                Pipeline.finishJournal(target);
                out.println("Analysed " + m.tensors().size() + " tensors of " + model.name() + " -> " + given);
                summary.print(out, pipeline.describe(m.plan()));
                if (!phases.timings().isEmpty()) out.println(phases.timings());
                }
            }
        }
        return 0;
    }

    /** The model at a URI, opened by the distributed engine that reads it; null for a local folder. */
    private ModelDir remoteModel() {
        if (modelDir == null || !DistributedAnalysis.isUri(modelDir)) return null;
        if (spark == null || dryRun) {
            throw new dev.swan.api.ConfigException("command line", 0, 0, modelDir + ": a URI is read by the Spark job "
                    + "only (add --spark MASTER, without --dry-run); give a local folder otherwise");
        }
        return engine("spark", spark).openRemote(modelDir).orElseThrow(() -> new dev.swan.api.ConfigException(
                "command line", 0, 0, modelDir + ": the Spark job does not read this URI"));
    }

    /** The installed distributed engine {@code id}, opened on {@code master}; one line when there is none. */
    static java.util.function.BiFunction<ResolvedPipeline, ModelDir, dev.swan.launcher.pipeline.TensorAnalyzer> distributed(
            String id, String master) {
        DistributedAnalysis d = engine(id, master);
        return (rp, model) -> d.open(master, rp, model);
    }

    private static DistributedAnalysis engine(String id, String master) {
        for (DistributedAnalysis d : java.util.ServiceLoader.load(DistributedAnalysis.class)) {
            if (d.id().equals(id)) return d;
        }
        throw new dev.swan.api.ConfigException("command line", 0, 0, "--" + id + " " + master + ": the swan-" + id
                + " job is not on the class path: set SWAN_CLASSPATH to its jar and Spark's jars (e.g. "
                + "swan-spark-0.1.0.jar:$SPARK_HOME/jars/*), or run it with spark-submit");
    }
}
