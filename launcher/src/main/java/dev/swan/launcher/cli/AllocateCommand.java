package dev.swan.launcher.cli;

import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.pipeline.Baselines;
import dev.swan.launcher.pipeline.Manifest;
import dev.swan.launcher.pipeline.ManifestIO;
import dev.swan.launcher.pipeline.Pipeline;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.pipeline.Summary;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan allocate}: re-plan from a manifest without recomputing any metric. */
@Command(name = "allocate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-allocate bits from a manifest's stored metric results (no weight is read): try "
                + "other thresholds, weights, targets or rules in well under a second. Prints the summary; "
                + "with -o writes the new plan (a manifest that 'swan quantize --manifest' accepts)."})
public final class AllocateCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MANIFEST.json", description = "Manifest written by 'swan analyze'.")
    Path manifest;

    @Option(names = {"-o", "--output"}, paramLabel = "PLAN.json", description = "Where to write the new plan.")
    Path output;

    @Option(names = {"-f", "--format"}, paramLabel = "ID", description = "Format whose sizes budgets are computed in (default: the manifest's).")
    String format;

    @Option(names = "--force", description = "Replace an existing plan file.")
    boolean force;

    @Mixin
    PlanOptions plan;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        Manifest m = output != null ? ManifestIO.readForWriting(manifest) : ManifestIO.read(manifest);
        if (output != null) {
            boolean same = AtomicOutput.resolve(output).equals(AtomicOutput.resolve(manifest));
            if (same && !force) {
                throw new dev.swan.api.OutputException(output, "is the manifest being read: choose another -o, or pass --force to replace it");
            }
            AtomicOutput.prepare(output, null, force, dev.swan.launcher.pipeline.OutputKind.MANIFEST);
        }
        try (PluginRegistry plugins = root.plugins(plan.pipelinePluginDirs())) {
            Object sizedFor = m.allocator().get("sized_for");
            PipelineSettings base = PipelineSettings.defaults()
                    .withFormat(format != null ? format : sizedFor instanceof String ? (String) sizedFor : "mlx", Map.of())
                    .withPolicy(Pipeline.policy(m).withTarget(null))
                    .withSeed(m.seed());
            PipelineSettings s = plan.settings(plugins, base);
            // the same rule as analyze and quantize: no target and no allocator, the format's usual baseline size
            s = QuantizeCommand.defaultTarget(s, Baselines.withDefaultTarget(s, plugins, m.tensors(), Pipeline.config(m)),
                    out::println);
            if (PipelineSettings.AUTO_ALLOCATOR.equals(s.allocator())
                    && !m.weights().keySet().containsAll(plugins.allocator(s.allocatorId()).requiredMetrics())) {
                // analysed without a target: the measurements the default budget allocator reads are not there
                out.println("Note: " + manifest + " lacks the measurements of allocator '" + s.allocatorId() + "' ("
                        + String.join(", ", plugins.allocator(s.allocatorId()).requiredMetrics()) + "): planning with "
                        + "'threshold'; analyze with a target to use '" + s.allocatorId() + "'");
                s = s.withAllocator("threshold", s.allocatorOptions());
            }
            ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, false, false);
            Pipeline pipeline = new Pipeline(plugins);
            Map<String, Double> weights = plan.metricsGiven ? s.weights() : m.weights();
            Manifest planned = pipeline.allocate(m, rp, Pipeline.config(m), weights);
            Summary summary = Summary.of(planned, pipeline.sizers(Pipeline.config(m), rp));
            if (output != null) {
                ManifestIO.write(output, planned, summary);
                out.println("Plan for " + planned.tensors().size() + " tensors -> " + output);
            }
            summary.print(out, pipeline.describe(planned.plan()));
        }
        return 0;
    }
}
