package dev.swan.allocator.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.AnalysisShape;
import dev.swan.api.ConfigException;
import dev.swan.api.MetricResult;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
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

class ThresholdAllocatorTest {
    static final Map<String, Double> WEIGHTS = Map.of("svd", 0.20, "kurtosis", 0.45, "noise", 0.15, "recon", 0.20);
    /** MLX affine sizes: bits + 32/group per weight, float tensors at 2 bytes. */
    static final TensorSizer MLX = (t, bits, g) -> bits >= 16 ? t.params() * 2
            : t.params() * bits / 8 + t.rows() * (t.cols() / g) * 4;

    private final ThresholdAllocator allocator = new ThresholdAllocator();

    /** An analysed tensor whose four scores all equal {@code s} (so its composite is s). */
    static TensorAnalysis tensor(String name, long rows, long cols, double s) {
        Map<String, MetricResult> m = new LinkedHashMap<>();
        for (String id : WEIGHTS.keySet()) m.put(id, MetricResult.of(s, s));
        return new TensorAnalysis(name, DType.BF16, new long[] {rows, cols}, TensorClassifier.classify(name, 2), null, m);
    }

    static TensorAnalysis skipped(String name, long... shape) {
        TensorAnalysis probe = new TensorAnalysis(name, DType.BF16, shape, TensorClassifier.classify(name, shape.length),
                null, Map.of());
        return new TensorAnalysis(name, DType.BF16, shape, probe.tensorClass(), shape.length == 1 ? AnalysisShape.SKIP_1D
                : AnalysisShape.SKIP_TINY, Map.of());
    }

    AllocationPlan allocate(List<TensorAnalysis> ts, Map<String, Object> params, AllocationPolicy policy) {
        return allocator.allocate(new AllocationRequest(ts, WEIGHTS, policy,
                Parameters.resolve("threshold", allocator.parameters(), params, "test"), MLX), ProgressSink.NONE);
    }

    static Map<String, TensorDecision> byName(AllocationPlan p) {
        return p.byName();
    }

    @Test
    void decisionRuleInReferenceOrder() {
        List<TensorAnalysis> ts = List.of(
                tensor("model.embed_tokens.weight", 512, 128, 0.2),
                tensor("model.layers.0.self_attn.q_proj.weight", 128, 128, 0.95),
                tensor("model.layers.0.self_attn.k_proj.weight", 128, 128, 0.70),
                tensor("model.layers.0.self_attn.v_proj.weight", 128, 128, 0.30),
                tensor("model.layers.0.self_attn.o_proj.weight", 128, 128, 0.05),
                tensor("model.layers.0.mlp.gate_proj.weight", 128, 128, 0.95),
                skipped("model.layers.0.input_layernorm.weight", 128),
                skipped("model.layers.0.tiny.weight", 16, 16));
        AllocationPolicy sensitive = new AllocationPolicy(List.of(), List.of("v_proj", "gate_proj"), List.of(),
                AllocationPolicy.defaultGroupSizes(), null);
        Map<String, TensorDecision> d = byName(allocate(ts, Map.of(), sensitive));
        assertEquals(8, d.get("model.embed_tokens.weight").bits(), "protection is a floor, not float");
        assertEquals("protected:embedding (floor 8 bits)", d.get("model.embed_tokens.weight").reason());
        Map<String, TensorDecision> paper = byName(allocate(ts, Map.of("protected_bits", 16), sensitive));
        assertEquals(16, paper.get("model.embed_tokens.weight").bits(), "the paper's float protection");
        assertEquals("protected:embedding", paper.get("model.embed_tokens.weight").reason());
        assertEquals(16, d.get("model.layers.0.self_attn.q_proj.weight").bits());
        assertTrue(d.get("model.layers.0.self_attn.q_proj.weight").reason().contains(">= 16bit_threshold"));
        assertEquals(8, d.get("model.layers.0.self_attn.k_proj.weight").bits());
        assertEquals(64, d.get("model.layers.0.self_attn.k_proj.weight").groupSize());
        assertEquals(8, d.get("model.layers.0.self_attn.v_proj.weight").bits(), "sensitive pattern");
        assertEquals("sensitive_pattern:v_proj", d.get("model.layers.0.self_attn.v_proj.weight").reason());
        assertEquals(16, d.get("model.layers.0.mlp.gate_proj.weight").bits(), "T16 is checked before sensitive");
        assertEquals(4, d.get("model.layers.0.self_attn.o_proj.weight").bits(), "2-bit is off by default");
        assertEquals(128, d.get("model.layers.0.self_attn.o_proj.weight").groupSize());
        assertEquals("1d_tensor", d.get("model.layers.0.input_layernorm.weight").reason());
        assertEquals(16, d.get("model.layers.0.tiny.weight").bits(), "tiny tensors stay 16-bit, never 2-bit");
    }

    @Test
    void twoBitTierWhenEnabledWithSqnrVeto() {
        Map<String, MetricResult> good = new LinkedHashMap<>();
        Map<String, MetricResult> bad = new LinkedHashMap<>();
        for (String id : WEIGHTS.keySet()) {
            good.put(id, id.equals("recon") ? new MetricResult(0.05, 0.05, Map.of("nrmse_2bit_g32", 0.3)) : MetricResult.of(0.05, 0.05));
            bad.put(id, id.equals("recon") ? new MetricResult(0.05, 0.05, Map.of("nrmse_2bit_g32", 0.5)) : MetricResult.of(0.05, 0.05));
        }
        String a = "model.layers.0.mlp.up_proj.weight";
        String b = "model.layers.1.mlp.up_proj.weight";
        List<TensorAnalysis> ts = List.of(
                new TensorAnalysis(a, DType.BF16, new long[] {64, 256}, TensorClassifier.classify(a, 2), null, good),
                new TensorAnalysis(b, DType.BF16, new long[] {64, 256}, TensorClassifier.classify(b, 2), null, bad));
        Map<String, TensorDecision> d = byName(allocate(ts, Map.of("enable_2bit", true), AllocationPolicy.defaults()));
        assertEquals(2, d.get(a).bits(), "SQNR 10.5 dB passes the 9 dB veto");
        assertEquals(32, d.get(a).groupSize());
        assertEquals(4, d.get(b).bits(), "SQNR 6 dB is vetoed");
        assertTrue(d.get(b).reason().contains("vetoed"));
    }

    @Test
    void overridesWinFirstMatch() {
        List<TensorAnalysis> ts = List.of(tensor("model.embed_tokens.weight", 512, 128, 0.2),
                tensor("model.layers.3.mlp.down_proj.weight", 128, 384, 0.95));
        AllocationPolicy p = new AllocationPolicy(List.of(), List.of(),
                List.of(new AllocationPolicy.Override("embed_tokens", 8, 32), new AllocationPolicy.Override("layers\\.3\\.", 4, 0),
                        new AllocationPolicy.Override("down_proj", 2, 0)),
                AllocationPolicy.defaultGroupSizes(), null);
        Map<String, TensorDecision> d = byName(allocate(ts, Map.of(), p));
        assertEquals(8, d.get("model.embed_tokens.weight").bits());
        assertEquals(32, d.get("model.embed_tokens.weight").groupSize());
        assertEquals(4, d.get("model.layers.3.mlp.down_proj.weight").bits());
        assertEquals("override:layers\\.3\\.", d.get("model.layers.3.mlp.down_proj.weight").reason());
    }

    @Test
    void groupSizeFallsBackOrKeepsFloat() {
        List<TensorAnalysis> ts = List.of(tensor("model.layers.0.mlp.up_proj.weight", 64, 192, 0.3),
                tensor("model.layers.0.mlp.down_proj.weight", 64, 172, 0.3),
                tensor("model.layers.0.mlp.gate_proj.weight", 64, 96, 0.3));
        Map<String, TensorDecision> d = byName(allocate(ts, Map.of(), AllocationPolicy.defaults()));
        assertEquals(64, d.get("model.layers.0.mlp.up_proj.weight").groupSize(), "192 % 128 != 0 → 64");
        assertEquals(32, d.get("model.layers.0.mlp.gate_proj.weight").groupSize(), "96 → 32");
        TensorDecision down = d.get("model.layers.0.mlp.down_proj.weight");
        assertEquals(16, down.bits());
        assertTrue(down.reason().contains("row length 172"), down.reason());
    }

    @Test
    void weightsMustSumToOne() {
        List<TensorAnalysis> ts = List.of(tensor("model.layers.0.mlp.up_proj.weight", 64, 128, 0.3));
        ConfigException e = assertThrows(ConfigException.class, () -> allocator.allocate(new AllocationRequest(ts,
                Map.of("svd", 0.5, "kurtosis", 0.45), AllocationPolicy.defaults(),
                Parameters.resolve("threshold", allocator.parameters(), Map.of(), "t"), MLX), ProgressSink.NONE));
        assertTrue(e.getMessage().contains("sum to 0.9500"), e.getMessage());
        assertThrows(ConfigException.class, () -> allocator.allocate(new AllocationRequest(ts,
                Map.of("svd", 0.5, "outliers", 0.5), AllocationPolicy.defaults(),
                Parameters.resolve("threshold", allocator.parameters(), Map.of(), "t"), MLX), ProgressSink.NONE),
                "a weighted metric without results is refused");
    }

    @Test
    void moeExpertsShareOneDecisionPerStack() {
        List<TensorAnalysis> ts = new ArrayList<>();
        for (int e = 0; e < 8; e++) {
            ts.add(tensor("model.layers.1.mlp.experts." + e + ".down_proj.weight", 64, 256, e == 5 ? 0.7 : 0.3));
            ts.add(tensor("model.layers.1.mlp.experts." + e + ".up_proj.weight", 64, 256, 0.3));
        }
        ts.add(tensor("model.layers.1.mlp.gate.weight", 8, 256, 0.1));
        Map<String, TensorDecision> d = byName(allocate(ts, Map.of(), AllocationPolicy.defaults()));
        for (int e = 0; e < 8; e++) {
            assertEquals(8, d.get("model.layers.1.mlp.experts." + e + ".down_proj.weight").bits(), "max-bits of the stack");
            assertEquals(4, d.get("model.layers.1.mlp.experts." + e + ".up_proj.weight").bits());
        }
        assertEquals("protected:router", d.get("model.layers.1.mlp.gate.weight").reason());
        Map<String, TensorDecision> per = byName(allocate(ts, Map.of("moe", "expert"), AllocationPolicy.defaults()));
        assertEquals(4, per.get("model.layers.1.mlp.experts.0.down_proj.weight").bits());
    }

    /** A few hundred tensors with spread-out scores, plus protected ones, as a real model has. */
    static List<TensorAnalysis> manyTensors(int layers) {
        Random r = new Random(4);
        List<TensorAnalysis> ts = new ArrayList<>();
        ts.add(tensor("model.embed_tokens.weight", 4096, 512, 0.3));
        for (int l = 0; l < layers; l++) {
            for (String proj : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                ts.add(tensor("model.layers." + l + "." + proj + ".weight", 512, proj.contains("down") ? 1536 : 512,
                        Math.min(0.89, Math.abs(r.nextGaussian() * 0.25 + 0.35))));
            }
            ts.add(skipped("model.layers." + l + ".input_layernorm.weight", 512));
        }
        return ts;
    }

    @Test
    void budgetModeHitsTargetBits() {
        List<TensorAnalysis> ts = manyTensors(40);
        for (double target : new double[] {5.0, 6.0}) {
            AllocationPlan p = allocate(ts, Map.of(), AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.bits(target)));
            double achieved = (Double) p.settings().get("effective_bits");
            assertEquals(target, achieved, 0.05, "target " + target + " settings " + p.settings());
            assertFalse(p.settings().containsKey("warning"));
        }
        AllocationPlan big = allocate(ts, Map.of(), AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.bits(10.0)));
        assertEquals(10.0, (Double) big.settings().get("effective_bits"), 0.05);
        assertEquals("t16", big.settings().get("searched"));
    }

    @Test
    void budgetModeHitsTargetSize() {
        List<TensorAnalysis> ts = manyTensors(40);
        long target = 70_000_000;
        AllocationPlan p = allocate(ts, Map.of(), AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.size(target)));
        assertEquals(target, (Long) p.settings().get("planned_bytes"), 0.01 * target);
    }

    @Test
    void budgetBelowMinimumIsRefusedWithTheMinimum() {
        List<TensorAnalysis> ts = manyTensors(4);
        ConfigException e = assertThrows(ConfigException.class, () -> allocate(ts, Map.of(),
                AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.bits(3.0))));
        assertTrue(e.getMessage().contains("below the smallest achievable plan") && e.getMessage().contains("bits/weight"),
                e.getMessage());
        AllocationPlan two = allocate(manyTensors(40), Map.of("enable_2bit", true, "min_sqnr_2bit", Double.NEGATIVE_INFINITY),
                AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.bits(4.3)));
        assertEquals("t2", two.settings().get("searched"), two.settings().toString());
        assertEquals(4.3, (Double) two.settings().get("effective_bits"), 0.05);
    }

    /** The same tensors as {@code ts}, as the launcher sees them before measuring: shapes, no results. */
    static List<TensorAnalysis> shapesOnly(List<TensorAnalysis> ts) {
        List<TensorAnalysis> out = new ArrayList<>();
        for (TensorAnalysis t : ts) {
            out.add(new TensorAnalysis(t.name(), t.dtype(), t.shape(), t.tensorClass(), t.skipReason(), Map.of()));
        }
        return out;
    }

    void preflight(List<TensorAnalysis> ts, Map<String, Object> params, AllocationPolicy.Target target) {
        allocator.preflight(new AllocationRequest(shapesOnly(ts), WEIGHTS, AllocationPolicy.defaults().withTarget(target),
                Parameters.resolve("threshold", allocator.parameters(), params, "test"), MLX));
    }

    @Test
    void preflightRefusesOnlyWhatNoMeasurementCouldReach() {
        List<TensorAnalysis> ts = manyTensors(10);
        // the real minimum (4-bit everywhere governed, measured scores) is reachable, so never refused early
        ConfigException real = assertThrows(ConfigException.class, () -> allocate(ts, Map.of(),
                AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.bits(1.5))));
        String minimum = real.getMessage().replaceAll(".*plan: ([0-9.]+) bits/weight.*", "$1");
        double realMin = Double.parseDouble(minimum);
        preflight(ts, Map.of(), AllocationPolicy.Target.bits(realMin + 0.001));
        ConfigException early = assertThrows(ConfigException.class,
                () -> preflight(ts, Map.of(), AllocationPolicy.Target.bits(1.5)));
        assertTrue(early.getMessage().contains("below the smallest achievable plan")
                && early.getMessage().contains("enable_2bit") && early.getMessage().contains("before measuring"),
                early.getMessage());
        double earlyMin = Double.parseDouble(early.getMessage().replaceAll(".*plan: ([0-9.]+) bits/weight.*", "$1"));
        assertTrue(earlyMin <= realMin, earlyMin + " <= " + realMin);
        // with 2-bit allowed the shapes-only floor drops, and the message no longer suggests enabling it
        ConfigException twoBit = assertThrows(ConfigException.class,
                () -> preflight(ts, Map.of("enable_2bit", true), AllocationPolicy.Target.bits(1.5)));
        assertFalse(twoBit.getMessage().contains("enable_2bit"), twoBit.getMessage());
        preflight(ts, Map.of("enable_2bit", true), AllocationPolicy.Target.bits(earlyMin - 0.5));
        // the largest plan is exact: everything in float
        assertThrows(ConfigException.class, () -> preflight(ts, Map.of(), AllocationPolicy.Target.bits(16.5)));
        preflight(ts, Map.of(), AllocationPolicy.Target.bits(15.9));
        preflight(ts, Map.of(), null);
    }

    @Test
    void fewTensorsReportNearestPlans() {
        List<TensorAnalysis> ts = List.of(tensor("model.layers.0.mlp.up_proj.weight", 512, 512, 0.3),
                tensor("model.layers.0.mlp.down_proj.weight", 512, 512, 0.5));
        AllocationPlan p = allocate(ts, Map.of(), AllocationPolicy.defaults().withTarget(AllocationPolicy.Target.bits(6.0)));
        String w = (String) p.settings().get("warning");
        assertTrue(w != null && w.contains("nearest below") && w.contains("nearest above"), p.settings().toString());
    }

    @Test
    void hybridRemapsSaturatedMetric() {
        List<TensorAnalysis> ts = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 50; i++) {
            String n = "model.layers." + i + ".mlp.up_proj.weight";
            Map<String, MetricResult> m = new LinkedHashMap<>();
            double s = r.nextDouble() * 0.5;
            m.put("svd", MetricResult.of(s, s));
            m.put("kurtosis", MetricResult.of(s, s));
            m.put("noise", MetricResult.of(0.2 + s, 0.4 + s / 5));
            m.put("recon", MetricResult.of(0.1 + r.nextDouble() * 0.05, 1.0));
            ts.add(new TensorAnalysis(n, DType.BF16, new long[] {64, 128}, TensorClassifier.classify(n, 2), null, m));
        }
        AllocationPlan p = allocate(ts, Map.of("normalization", "hybrid"), AllocationPolicy.defaults());
        @SuppressWarnings("unchecked")
        Map<String, String> mapping = (Map<String, String>) p.settings().get("score_mapping");
        assertEquals("adaptive-p5-p95-log10", mapping.get("recon"));
        assertEquals("fixed", mapping.get("svd"));
    }
}
