package dev.swan.launcher.pipeline;

import dev.swan.api.MetricResult;
import dev.swan.api.Sensitivity;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.eval.HfStoredModel;
import dev.swan.eval.FisherInformation;
import dev.swan.eval.SelfCalibration;
import dev.swan.eval.Transformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * {@code --self-calibrate N}: the model writes N tokens of its own text and every quantizable matrix gets
 * its measured sensitivity from one backward pass ({@link FisherInformation}: the diagonal Fisher
 * information of the model's own output distribution, labels drawn from the model), recorded with the
 * tensor's analysis as result {@value #ID} (raw: predicted KL divergence per unit of relative squared
 * error), which allocators receive as the request's sensitivities; the same pass's inputs give the
 * importance matrix for rounding. Needs an architecture the eval forward pass runs.
 */
final class SelfCalibrationStep {
    static final String ID = "selfcal";
    /** The relative error power a sensitivity is recorded at (the Fisher estimate is linear in it). */
    static final double POWER = 1e-3;

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

    /** The analyses with their sensitivities, and the inputs' mean squares on the same text (an importance matrix). */
    record Result(List<TensorAnalysis> tensors, Map<String, float[]> inputEnergies) {
    }

    /** The text and passes self-calibration runs for {@code model} with {@code tokens} (0: sized for the model). */
    static SelfCalibration.Plan plan(ModelDir model, int tokens) {
        long all = 0;
        long inExperts = 0;
        for (dev.swan.api.tensor.TensorInfo t : model.tensors()) {
            all += t.numel();
            if (dev.swan.toolkit.model.ExpertWeight.parse(t.name()).isPresent()) inExperts += t.numel();
        }
        return SelfCalibration.Plan.of(model.config().perToken(all, inExperts), tokens);
    }

    /**
     * @param asked false when self-calibration is on by default: a model the forward pass cannot run is then
     *              planned weight-only instead of refused
     */
    static Result attach(ModelDir model, List<TensorAnalysis> tensors, PipelineSettings s, int tokens,
                         boolean asked, Phases phases) {
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
            var view = SelfCalibration.untiedView(stored);
            Transformer t = Transformer.of(view);
            Object bosId = model.config().get("bos_token_id");
            int bos = bosId instanceof Long l ? l.intValue() : 1;
            SelfCalibration.Plan plan = plan(model, tokens);
            int[][] texts = SelfCalibration.contexts(t, bos, plan, s.seed(), par, phases.start(Phases.SELF_CALIBRATE_TEXT));
            phases.end(Phases.SELF_CALIBRATE_TEXT);
            FisherInformation.Result fisher = FisherInformation.measure(view, texts,
                    new FisherInformation.Settings(plan.draws(), s.seed()), phases.start(Phases.SELF_CALIBRATE_FISHER), par);
            phases.end(Phases.SELF_CALIBRATE_FISHER);
            Map<String, Double> alpha = new LinkedHashMap<>();
            fisher.tensors().forEach((name, f) -> alpha.put(name, f.klPerRelativeRowError()));
            List<TensorAnalysis> out = new ArrayList<>();
            for (TensorAnalysis a : tensors) {
                Double v = a.rank() == 2 ? alpha.get(a.name()) : a.rank() == 3 ? stack(a.name(), alpha) : null;
                if (v == null) {
                    out.add(a);
                    continue;
                }
                Map<String, MetricResult> m = new LinkedHashMap<>(a.metrics());
                m.put(ID, encode(new Sensitivity(POWER, v * POWER, 1.0)));
                out.add(new TensorAnalysis(a.name(), a.dtype(), a.shape(), a.tensorClass(), a.skipReason(), m));
            }
            return new Result(out, fisher.inputEnergies());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A stored expert stack's sensitivity: the sum of its experts' (an error of the same relative power in
     * every expert costs the sum of what each costs); null when the pass saw none of them.
     */
    private static Double stack(String name, Map<String, Double> alpha) {
        double sum = 0;
        boolean any = false;
        for (Map.Entry<String, Double> e : alpha.entrySet()) {
            var x = dev.swan.toolkit.model.ExpertWeight.parse(e.getKey());
            if (x.isPresent() && x.get().stackName().equals(name)) {
                sum += e.getValue();
                any = true;
            }
        }
        return any ? sum : null;
    }
}
