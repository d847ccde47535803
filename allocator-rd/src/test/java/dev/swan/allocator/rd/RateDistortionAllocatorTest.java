package dev.swan.allocator.rd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.ConfigException;
import dev.swan.api.Encoding;
import dev.swan.api.MetricResult;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.Sensitivity;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.toolkit.model.TensorClassifier;
import dev.swan.api.tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rate–distortion plan: within the budget, no better than the exhaustive optimum allows and never worse
 * than one fixed width at the same size; sensitive tensors get the bits; floors, overrides and refusals.
 */
class RateDistortionAllocatorTest {
    final RateDistortionAllocator rd = new RateDistortionAllocator();
    static final int[] BITS = {2, 3, 4, 5, 6, 8};

    /** A tensor with an encoding per width (bytes = params × bits / 8 + 1 KiB) and error 4^-bits × scale. */
    static TensorAnalysis tensor(String name, long rows, long cols, double errorScale, Map<String, List<Encoding>> enc) {
        List<Encoding> es = new ArrayList<>();
        Map<String, Double> details = new LinkedHashMap<>();
        es.add(new Encoding("F16", 16, 0, rows * cols * 2, ""));
        for (int b : BITS) {
            String id = "q" + b;
            es.add(new Encoding(id, b, 64, rows * cols * b / 8 + 1024, "test:" + id));
            details.put(EncodingErrorMetric.PREFIX + id, errorScale * Math.pow(4, -b));
        }
        enc.put(name, es);
        return new TensorAnalysis(name, DType.BF16, new long[] {rows, cols}, TensorClassifier.classify(name, 2), null,
                Map.of("qerror", new MetricResult(0, 0, details)));
    }

    static final TensorSizer SIZER = (t, bits, g) -> bits >= 16 ? t.params() * 2 : t.params() * bits / 8 + 1024;

    AllocationPlan plan(List<TensorAnalysis> ts, Map<String, List<Encoding>> enc, Map<String, Sensitivity> sens,
                        AllocationPolicy policy, Map<String, Object> params) {
        AllocationRequest r = new AllocationRequest(ts, Map.of(), policy, Parameters.resolve("rd", rd.parameters(), params, "test"),
                SIZER, enc, sens);
        return rd.allocate(r, ProgressSink.NONE);
    }

    static long bytes(AllocationPlan p, Map<String, List<Encoding>> enc) {
        long b = 0;
        for (TensorDecision d : p.decisions()) {
            for (Encoding e : enc.get(d.name())) if (e.id().equals(d.encoding())) b += e.bytes();
        }
        return b;
    }

    @Test
    void sensitiveTensorsGetTheBitsAndTheBudgetHolds() {
        Map<String, List<Encoding>> enc = new LinkedHashMap<>();
        List<TensorAnalysis> ts = List.of(tensor("model.layers.0.self_attn.k_proj.weight", 256, 256, 1, enc),
                tensor("model.layers.0.self_attn.o_proj.weight", 256, 256, 1, enc));
        Map<String, Sensitivity> sens = Map.of("model.layers.0.self_attn.k_proj.weight", new Sensitivity(0.01, 1.0, 1),
                "model.layers.0.self_attn.o_proj.weight", new Sensitivity(0.01, 0.01, 1));
        long budget = 2 * (256L * 256 * 4 / 8 + 1024); // two tensors at 4 bits
        AllocationPlan p = plan(ts, enc, sens, AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.size(budget)), Map.of());
        Map<String, TensorDecision> d = p.byName();
        assertTrue(d.get("model.layers.0.self_attn.k_proj.weight").bits() > d.get("model.layers.0.self_attn.o_proj.weight").bits(), d.toString());
        assertTrue(bytes(p, enc) <= budget);
        assertEquals("measured", p.settings().get("importance"));
    }

    /** Random small cases: within budget, within 5 % of the exhaustive optimum, never worse than uniform. */
    @Test
    void nearTheExhaustiveOptimumAndNeverWorseThanUniform() {
        Random r = new Random(7);
        for (int trial = 0; trial < 40; trial++) {
            Map<String, List<Encoding>> enc = new LinkedHashMap<>();
            List<TensorAnalysis> ts = new ArrayList<>();
            Map<String, Sensitivity> sens = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                String n = "model.layers." + i + ".mlp.up_proj.weight";
                ts.add(tensor(n, 64 * (1 + r.nextInt(4)), 256, 0.5 + r.nextDouble(), enc));
                sens.put(n, new Sensitivity(0.01, Math.exp(r.nextGaussian() * 2) * 0.01, 0.6 + r.nextDouble() * 0.8));
            }
            int uniform = BITS[1 + r.nextInt(4)];
            long budget = 0;
            double uniformDamage = 0;
            for (TensorAnalysis t : ts) {
                budget += t.params() * uniform / 8 + 1024;
                uniformDamage += sens.get(t.name()).damage(damageError(t, "q" + uniform));
            }
            AllocationPlan p = plan(ts, enc, sens, AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.size(budget)), Map.of());
            assertTrue(bytes(p, enc) <= budget, "budget");
            double mine = (Double) p.settings().get("predicted_damage");
            assertTrue(mine <= uniformDamage * (1 + 1e-9), "never worse than uniform " + uniform + ": " + mine + " vs " + uniformDamage);
            double best = Double.MAX_VALUE;
            List<List<Encoding>> lists = new ArrayList<>();
            for (TensorAnalysis t : ts) lists.add(enc.get(t.name()));
            for (Encoding a : lists.get(0)) for (Encoding b : lists.get(1)) for (Encoding c : lists.get(2)) {
                if (a.bytes() + b.bytes() + c.bytes() > budget) continue;
                double dmg = 0;
                Encoding[] abc = {a, b, c};
                for (int i = 0; i < 3; i++) dmg += abc[i].isFloat() ? 0 : sens.get(ts.get(i).name()).damage(damageError(ts.get(i), abc[i].id()));
                best = Math.min(best, dmg);
            }
            assertTrue(mine <= best * 1.05 + 1e-12, "trial " + trial + ": " + mine + " vs optimum " + best);
        }
    }

    static double damageError(TensorAnalysis t, String id) {
        return t.metrics().get("qerror").details().get(EncodingErrorMetric.PREFIX + id);
    }

    @Test
    void floorsOverridesAndRefusals() {
        Map<String, List<Encoding>> enc = new LinkedHashMap<>();
        List<TensorAnalysis> ts = List.of(tensor("model.embed_tokens.weight", 512, 256, 1, enc),
                tensor("model.layers.0.mlp.up_proj.weight", 256, 256, 1, enc),
                tensor("model.layers.0.mlp.down_proj.weight", 256, 256, 1, enc));
        long budget = 3 * (256L * 256 * 3 / 8 + 1024);
        AllocationPolicy policy = new AllocationPolicy(List.of("embed_tokens"), List.of(),
                List.of(new AllocationPolicy.Override("down_proj", 8, 64)), AllocationPolicy.defaultGroupSizes(),
                AllocationPolicy.Target.size(budget * 4));
        Map<String, TensorDecision> d = plan(ts, enc, Map.of(), policy, Map.of()).byName();
        assertTrue(d.get("model.embed_tokens.weight").bits() >= 8, "--protect is a floor of rd.protected_bits");
        assertEquals("override:down_proj", d.get("model.layers.0.mlp.down_proj.weight").reason());
        assertEquals(8, d.get("model.layers.0.mlp.down_proj.weight").bits());
        ConfigException low = assertThrows(ConfigException.class, () -> plan(ts, enc, Map.of(),
                policy.withTarget(AllocationPolicy.Target.size(1000)), Map.of()));
        assertTrue(low.getMessage().contains("below the smallest achievable plan") && low.getMessage().contains("rd.protected_bits"),
                low.getMessage());
        ConfigException none = assertThrows(ConfigException.class, () -> plan(ts, enc, Map.of(), AllocationPolicy.defaults(), Map.of()));
        assertTrue(none.getMessage().contains("--target-size"), none.getMessage());
        ConfigException measured = assertThrows(ConfigException.class, () -> plan(ts, enc, Map.of(),
                AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.size(budget)), Map.of("importance", "measured")));
        assertTrue(measured.getMessage().contains("--self-calibrate"), measured.getMessage());
    }

    @Test
    void withoutMeasuredSensitivityEveryWeightsRelativeErrorCountsOnce() {
        Map<String, List<Encoding>> enc = new LinkedHashMap<>();
        List<TensorAnalysis> ts = List.of(tensor("model.layers.0.mlp.up_proj.weight", 256, 256, 1, enc),
                tensor("model.layers.0.mlp.gate_proj.weight", 256, 256, 4, enc));
        long budget = 2 * (256L * 256 * 4 / 8 + 1024);
        AllocationPlan p = plan(ts, enc, Map.of(), AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.size(budget)), Map.of());
        assertEquals("params", p.settings().get("importance"));
        Map<String, TensorDecision> d = p.byName();
        assertTrue(d.get("model.layers.0.mlp.gate_proj.weight").bits() >= d.get("model.layers.0.mlp.up_proj.weight").bits(),
                "the noisier tensor gets the bits: " + d);
    }

    /**
     * Experts of one (layer, projection) are stored as one stack with one type, so they get one decision;
     * the stack competes with other tensors by its summed bytes and damage (a stack of very sensitive
     * experts gets more bits than an insensitive one), and the budget holds.
     */
    @Test
    void expertSlicesOfAStackGetOneDecision() {
        Map<String, List<Encoding>> enc = new LinkedHashMap<>();
        List<TensorAnalysis> ts = new ArrayList<>();
        Random random = new Random(7);
        for (int e = 0; e < 8; e++) {
            ts.add(tensor("model.layers.0.mlp.experts." + e + ".down_proj.weight", 64, 128, 1 + 50 * random.nextDouble(), enc));
            ts.add(tensor("model.layers.0.mlp.experts." + e + ".up_proj.weight", 64, 128, 0.01 + 0.1 * random.nextDouble(), enc));
        }
        ts.add(tensor("model.layers.0.self_attn.o_proj.weight", 128, 128, 1, enc));
        long budget = 17 * (64L * 128 * 4 / 8 + 1024);
        AllocationPlan p = plan(ts, enc, Map.of(), AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.size(budget)),
                Map.of());
        Map<String, TensorDecision> d = p.byName();
        for (String proj : List.of("down_proj", "up_proj")) {
            String first = d.get("model.layers.0.mlp.experts.0." + proj + ".weight").encoding();
            for (int e = 1; e < 8; e++) assertEquals(first, d.get("model.layers.0.mlp.experts." + e + "." + proj + ".weight").encoding(), proj);
        }
        assertTrue(d.get("model.layers.0.mlp.experts.0.down_proj.weight").bits() > d.get("model.layers.0.mlp.experts.0.up_proj.weight").bits(),
                d.toString());
        assertTrue(bytes(p, enc) <= budget);
        assertEquals(ts.size(), p.decisions().size());
    }
}
