package dev.swan.launcher.pipeline;

import dev.swan.api.MetricResult;
import dev.swan.api.ProgressSink;
import dev.swan.api.Sensitivity;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.eval.HfStoredModel;
import dev.swan.eval.SelfCalibration;
import dev.swan.eval.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * {@code --self-calibrate N}: the model generates N tokens and every quantizable matrix gets its measured
 * sensitivity (see {@link SelfCalibration}), recorded with the tensor's analysis as result {@value #ID}
 * (raw: KL divergence per unit of relative squared error), which allocators receive as the request's
 * sensitivities. Needs an architecture the eval forward pass runs.
 */
final class SelfCalibrationStep {
    static final String ID = "selfcal";

    private SelfCalibrationStep() {
    }

    /** Raw: damage per unit of relative error at the measured power; details: the power law itself. */
    static MetricResult encode(Sensitivity s) {
        double alpha = s.damage() / s.power();
        return new MetricResult(alpha, MetricResult.clip01(alpha / 100), Map.of("power", s.power(), "damage", s.damage(),
                "exponent", s.exponent()));
    }

    static Sensitivity decode(MetricResult r) {
        return new Sensitivity(r.details().get("power"), r.details().get("damage"), r.details().get("exponent"));
    }

    /**
     * @param asked false when self-calibration is on by default: a model the forward pass cannot run is then
     *              planned weight-only instead of refused
     */
    /** The analyses with their sensitivities, and the inputs' mean squares on the same text (an importance matrix). */
    record Result(List<TensorAnalysis> tensors, Map<String, float[]> inputEnergies) {
    }

    static Result attach(ModelDir model, List<TensorAnalysis> tensors, PipelineSettings s, int tokens,
                         boolean asked, ProgressSink progress) {
        if (!asked) {
            try {
                dev.swan.eval.Architecture.of(model.config());
            } catch (dev.swan.api.SwanException unsupported) {
                return new Result(tensors, Map.of());
            }
        }
        ForkJoinPool pool = new ForkJoinPool(s.threads());
        try (HfStoredModel stored = HfStoredModel.over(model)) {
            Parallel par = Parallel.of(pool);
            var view = SelfCalibration.prepare(stored);
            Transformer t = Transformer.of(view);
            Object bosId = model.config().get("bos_token_id");
            int bos = bosId instanceof Long l ? l.intValue() : 1;
            SelfCalibration.Settings settings = SelfCalibration.Settings.forTokens(tokens, s.seed());
            int[][] texts = SelfCalibration.generate(t, bos, settings, par);
            List<String> names = new ArrayList<>();
            for (TensorAnalysis a : tensors) if (a.rank() == 2 && view.tensors().containsKey(a.name())) names.add(a.name());
            Map<String, Sensitivity> alpha = SelfCalibration.sensitivities(view, names, texts, settings, progress, par);
            Map<String, float[]> energies = t.inputEnergies(texts, par);
            List<TensorAnalysis> out = new ArrayList<>();
            for (TensorAnalysis a : tensors) {
                Sensitivity v = alpha.get(a.name());
                if (v == null) {
                    out.add(a);
                    continue;
                }
                Map<String, MetricResult> m = new java.util.LinkedHashMap<>(a.metrics());
                m.put(ID, encode(v));
                out.add(new TensorAnalysis(a.name(), a.dtype(), a.shape(), a.tensorClass(), a.skipReason(), m));
            }
            return new Result(out, energies);
        } finally {
            pool.shutdownNow();
        }
    }
}
