package dev.swan.allocator.threshold;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.BitAllocator;
import dev.swan.api.ConfigException;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.SpiVersion;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SWAN's allocator (SWAN paper v2 and this project): composite score, protection rules, the
 * threshold rule T16 0.90 / T8 0.65 / T2 0.10 (2-bit off by default and, when on, vetoed below 9 dB
 * SQNR), group sizes per bit width, one decision per MoE expert stack, and a budget mode that picks the
 * thresholds for a target size.
 */
public final class ThresholdAllocator implements BitAllocator {

    /** The thresholds the plan used (and the target they were chosen for), and any warning of the search. */
    @Override
    public List<String> describe(AllocationPlan plan) {
        Map<String, Object> s = plan.settings();
        List<String> lines = new java.util.ArrayList<>();
        if (s.containsKey("t8")) {
            lines.add("Thresholds: t16 " + s.get("t16") + ", t8 " + s.get("t8") + ", t2 " + s.get("t2") + " (normalization "
                    + s.get("normalization") + ")" + (s.containsKey("target") ? ", chosen for target " + s.get("target") : ""));
        }
        if (s.containsKey("warning")) lines.add("Note: " + s.get("warning"));
        return lines;
    }

    @Override
    public String id() {
        return "threshold";
    }

    @Override
    public String description() {
        return "SWAN composite-score thresholds (paper v2), protection rules, budget search";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofDouble("t16", 0.90, "composite score at or above which a tensor stays in float"),
                ParameterSpec.ofDouble("t8", 0.65, "composite score at or above which a tensor gets 8 bits"),
                ParameterSpec.ofDouble("t2", 0.10, "composite score at or below which a tensor gets 2 bits (if enabled)"),
                ParameterSpec.ofInt("default_bits", 4, "bits for every other tensor"),
                ParameterSpec.ofInt("protected_bits", 8, "bits for embeddings, the output head and --protect patterns "
                        + "(a floor; 16 keeps them in float, as the SWAN paper does)"),
                ParameterSpec.ofBoolean("enable_2bit", false, "allow the 2-bit tier (off by default: 2 bits cost the most quality per tensor)"),
                ParameterSpec.ofDouble("min_sqnr_2bit", 9.0, "2-bit needs at least this SQNR in dB (from recon's 2-bit error)"),
                ParameterSpec.ofString("normalization", "paper",
                        "score mapping: paper (fixed clips, v2) or hybrid (this project's adaptive fallback)",
                        "paper", "hybrid"),
                ParameterSpec.ofString("moe", "stack", "MoE per-expert weights: one decision per (layer, projection) "
                        + "stack with the max-bits rule, or one per expert", "stack", "expert"));
    }

    @Override
    public void preflight(AllocationRequest request) {
        Parameters p = request.parameters();
        int defaultBits = defaultBits(p);
        CompositeScores.validateWeights(request.metricWeights());
        AllocationPolicy.Target target = request.policy().target();
        if (target == null) return;
        // the most compressible the measurements could make the model: every composite 0, no 2-bit veto
        Map<String, Double> lowest = new HashMap<>();
        for (TensorAnalysis t : request.tensors()) lowest.put(t.name(), 0.0);
        Planner planner = new Planner(request.tensors(), lowest, request.policy(), defaultBits,
                Double.NEGATIVE_INFINITY, p.getString("moe").equals("stack"), protectedBits(p), request.encodings());
        new BudgetSearch(planner, request.tensors(), request.sizer()).checkReachable(target, p.getBoolean("enable_2bit"));
    }

    private static int protectedBits(Parameters p) {
        int b = p.getInt("protected_bits");
        if (!AllocationPolicy.isWidth(b, true)) {
            throw new ConfigException("protected_bits must be one of 2, 3, 4, 5, 6, 8, 16; got " + b);
        }
        return b;
    }

    private static int defaultBits(Parameters p) {
        int defaultBits = p.getInt("default_bits");
        if (!AllocationPolicy.isWidth(defaultBits, false)) {
            throw new ConfigException("default_bits must be one of 2, 3, 4, 5, 6, 8; got " + defaultBits);
        }
        return defaultBits;
    }

    @Override
    public AllocationPlan allocate(AllocationRequest request, ProgressSink progress) {
        Parameters p = request.parameters();
        int defaultBits = defaultBits(p);
        CompositeScores.validateWeights(request.metricWeights());
        Map<String, String> mappings = new LinkedHashMap<>();
        boolean hybrid = p.getString("normalization").equals("hybrid");
        Map<String, Double> composite = CompositeScores.compute(request.tensors(), request.metricWeights(), hybrid, mappings);
        boolean twoBit = p.getBoolean("enable_2bit");
        Planner planner = new Planner(request.tensors(), composite, request.policy(), defaultBits,
                p.getDouble("min_sqnr_2bit"), p.getString("moe").equals("stack"), protectedBits(p), request.encodings());
        Thresholds base = new Thresholds(p.getDouble("t16"), p.getDouble("t8"), twoBit ? p.getDouble("t2") : -1);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("normalization", p.getString("normalization"));
        settings.put("score_mapping", mappings);
        List<TensorDecision> plan;
        BudgetSearch search = new BudgetSearch(planner, request.tensors(), request.sizer());
        Thresholds used = base;
        AllocationPolicy.Target target = request.policy().target();
        if (target == null) {
            plan = planner.plan(base);
        } else {
            BudgetSearch.Result r = search.search(base, target, twoBit);
            plan = r.plan();
            used = r.thresholds();
            settings.put("target", target.effectiveBits() > 0 ? java.util.Map.of("effective_bits", target.effectiveBits())
                    : java.util.Map.of("bytes", target.bytes()));
            settings.put("searched", r.phase());
            if (!r.note().isEmpty()) settings.put("warning", r.note());
        }
        settings.put("t16", round(used.t16()));
        settings.put("t8", round(used.t8()));
        settings.put("t2", used.t2() < 0 ? "off" : round(used.t2()));
        long bytes = planner.bytes(plan, request.sizer());
        settings.put("planned_bytes", bytes);
        settings.put("effective_bits", round(search.bits(bytes)));
        return new AllocationPlan(id(), settings, plan);
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
