package dev.swan.launcher.pipeline;

import dev.swan.api.ConfigException;
import dev.swan.api.ProgressSink;
import dev.swan.api.WriteReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One quantization, analyze → allocate → write, as mlx-lm's {@code convert()} and llama.cpp's
 * {@code llama_model_quantize} are one call: the output is locked, checked against its source, prepared
 * (an old one replaced only with {@code force}), the measurements journaled beside it so an interrupted
 * run resumes, the plan written into a temporary sibling and moved into place when complete. Commands
 * only parse their options into a {@link Request} and print the {@link Result}.
 */
public final class QuantizeService {
    private final Pipeline pipeline;

    public QuantizeService(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * What to quantize and where.
     *
     * @param plan a manifest whose plan to use instead of measuring (null: analyze the model)
     * @param replan allocate {@code plan}'s measurements again with this pipeline's settings
     * @param weights the metric weights to re-plan with
     * @param alsoReplaced the reports of the same run, which {@code force} may replace
     */
    public record Request(ResolvedPipeline pipeline, ModelDir model, Path target, Manifest plan, Path planFile,
                          boolean replan, Map<String, Double> weights, boolean dryRun, boolean force, boolean restart,
                          List<Path> alsoReplaced, int threads, String provenance) {
        public Request {
            alsoReplaced = List.copyOf(alsoReplaced);
        }
    }

    /** The plan, and what was written (null on a dry run). */
    public record Result(Manifest manifest, WriteReport written) {
    }

    public Result run(Request r, Phases phases) throws Exception {
        ModelDir model = r.model();
        if (r.dryRun()) return new Result(plan(r, null, phases), null);
        AtomicOutput.refuseOverlap(r.target(), model.path());
        Path target = AtomicOutput.resolve(r.target());
        try (AtomicOutput.Lock lock = AtomicOutput.lock(r.target())) { // before prepare, which clears a stale temporary
            AtomicOutput.prepare(r.target(), model.path(), r.force(), OutputKind.of(r.pipeline().format()));
            for (Path other : r.alsoReplaced()) AtomicOutput.prepare(other, model.path(), r.force(), OutputKind.REPORT);
            // measurements are journaled next to the output, so an interrupted run resumes them
            Path journalFor = r.pipeline().allocator().usesMetrics()
                    ? target.resolveSibling(target.getFileName() + ".swan.json") : null;
            Manifest m = plan(r, journalFor, phases);
            ProgressSink progress = phases.start(Phases.WRITE);
            WriteReport written = pipeline.write(r.pipeline(), model, m, target, journalFor, progress, r.threads(),
                    r.provenance());
            phases.end(Phases.WRITE);
            return new Result(m, written);
        }
    }

    private Manifest plan(Request r, Path journalFor, Phases phases) throws Exception {
        if (r.plan() != null) {
            List<String> planned = r.plan().tensors().stream().map(t -> t.name()).toList();
            List<String> present = r.model().tensors().stream().map(TensorInfo::name).toList();
            if (!planned.equals(present)) {
                throw new ConfigException(String.valueOf(r.planFile()), 0, 0, "was made for a model with other tensors than "
                        + r.model().path() + ": analyze this model first");
            }
            if (!r.replan()) pipeline.refuseOtherEncodings(r.plan(), r.pipeline(), r.model().config());
            return r.replan() ? pipeline.allocate(r.plan(), r.pipeline(), r.model().config(), r.weights()) : r.plan();
        }
        return pipeline.analyze(r.pipeline(), r.model(), journalFor, r.restart(), phases);
    }
}
