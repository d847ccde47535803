package dev.swan.allocator.threshold;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.AnalysisShape;
import dev.swan.api.MetricResult;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Applies the decision rule (SWAN paper v2) for given thresholds, then
 * the MoE rule (one decision per expert stack) and the group-size rule. Pure: a plan is a function of
 * the thresholds, which is what the budget search relies on.
 */
final class Planner {
    private final List<TensorAnalysis> tensors;
    private final Map<String, Double> composite;
    private final ProtectionRules rules;
    private final AllocationPolicy policy;
    private final List<Pattern> overridePatterns = new ArrayList<>();
    private final int defaultBits;
    private final double minSqnr2bit;
    private final boolean moeStacks;
    private final int protectedBits;
    private final Map<String, List<dev.swan.api.Encoding>> encodings;

    Planner(List<TensorAnalysis> tensors, Map<String, Double> composite, AllocationPolicy policy, int defaultBits,
            double minSqnr2bit, boolean moeStacks, int protectedBits, Map<String, List<dev.swan.api.Encoding>> encodings) {
        this.protectedBits = protectedBits;
        this.encodings = encodings;
        this.tensors = tensors;
        this.composite = composite;
        this.rules = new ProtectionRules(policy);
        this.policy = policy;
        for (AllocationPolicy.Override o : policy.overrides()) overridePatterns.add(Pattern.compile(o.pattern()));
        this.defaultBits = defaultBits;
        this.minSqnr2bit = minSqnr2bit;
        this.moeStacks = moeStacks;
    }

    /** Composites of the tensors the thresholds govern (not fixed by a rule), for the budget search. */
    List<Double> governedScores() {
        List<Double> out = new ArrayList<>();
        for (TensorAnalysis t : tensors) {
            if (t.analysed() && override(t).isEmpty() && rules.protectedBy(t).isEmpty() && rules.flooredBy(t).isEmpty()) {
                out.add(composite.get(t.name()));
            }
        }
        return out;
    }

    List<TensorDecision> plan(Thresholds th) {
        List<TensorDecision> raw = new ArrayList<>();
        for (TensorAnalysis t : tensors) raw.add(decide(t, th));
        if (moeStacks) raw = aggregateExperts(raw);
        List<TensorDecision> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) out.add(withGroup(tensors.get(i), raw.get(i)));
        return out;
    }

    long bytes(List<TensorDecision> plan, TensorSizer sizer) {
        long total = 0;
        for (int i = 0; i < plan.size(); i++) {
            TensorDecision d = plan.get(i);
            total += sizer.bytes(tensors.get(i), d);
        }
        return total;
    }

    private TensorDecision decide(TensorAnalysis t, Thresholds th) {
        double s = composite.getOrDefault(t.name(), Double.NaN);
        if (!t.analysed() && !AnalysisShape.SKIP_TOO_LARGE.equals(t.skipReason())) {
            String reason = AnalysisShape.SKIP_TINY.equals(t.skipReason()) ? "tiny_tensor" : t.skipReason();
            return new TensorDecision(t.name(), 16, 0, reason, Double.NaN);
        }
        Optional<AllocationPolicy.Override> o = override(t);
        if (o.isPresent()) {
            if (o.get().type().isEmpty()) {
                return new TensorDecision(t.name(), o.get().bits(), o.get().groupSize(), TensorDecision.OVERRIDE + o.get().pattern(), s);
            }
            TensorDecision d = o.get().decide(t.name(), encodings.getOrDefault(t.name(), List.of()), policy.groupSizes());
            return new TensorDecision(d.name(), d.bits(), d.groupSize(), d.reason(), s, d.encoding());
        }
        Optional<String> prot = rules.protectedBy(t);
        if (prot.isPresent()) return new TensorDecision(t.name(), 16, 0, prot.get(), s);
        Optional<String> floor = rules.flooredBy(t);
        if (floor.isPresent()) {
            if (protectedBits >= 16 || (!Double.isNaN(s) && s >= th.t16())) return new TensorDecision(t.name(), 16, 0, floor.get(), s);
            return new TensorDecision(t.name(), protectedBits, 0, floor.get() + " (floor " + protectedBits + " bits)", s);
        }
        if (!t.analysed()) return new TensorDecision(t.name(), defaultBits, 0, "not_analysed:" + t.skipReason(), s);
        if (s >= th.t16()) return new TensorDecision(t.name(), 16, 0, fmt(s) + " >= 16bit_threshold(" + fmt2(th.t16()) + ")", s);
        Optional<String> sens = rules.sensitiveBy(t);
        if (sens.isPresent()) return new TensorDecision(t.name(), 8, 0, sens.get(), s);
        if (s >= th.t8()) return new TensorDecision(t.name(), 8, 0, fmt(s) + " >= 8bit_threshold(" + fmt2(th.t8()) + ")", s);
        if (s <= th.t2()) {
            double sqnr = sqnr2bit(t);
            if (sqnr >= minSqnr2bit) {
                return new TensorDecision(t.name(), 2, 0, fmt(s) + " <= 2bit_threshold(" + fmt2(th.t2()) + ")", s);
            }
            return new TensorDecision(t.name(), defaultBits, 0, "default (2-bit vetoed: SQNR "
                    + String.format(Locale.ROOT, "%.1f", sqnr) + " dB < " + minSqnr2bit + ")", s);
        }
        return new TensorDecision(t.name(), defaultBits, 0, "default", s);
    }

    /** SQNR of 2-bit group-32 quantization in dB, from whichever metric reported it; -inf when none did. */
    private static double sqnr2bit(TensorAnalysis t) {
        Double nrmse = null;
        for (MetricResult r : t.metrics().values()) if (nrmse == null) nrmse = r.details().get(MetricResult.NRMSE_2BIT_G32);
        if (nrmse == null || !(nrmse > 0)) return Double.NEGATIVE_INFINITY;
        return -20 * Math.log10(nrmse);
    }

    private Optional<AllocationPolicy.Override> override(TensorAnalysis t) {
        for (int i = 0; i < overridePatterns.size(); i++) {
            if (overridePatterns.get(i).matcher(t.name()).find()) return Optional.of(policy.overrides().get(i));
        }
        return Optional.empty();
    }

    /** Per-expert weights of one (layer, projection) get the largest bits any of them got (max-bits rule). */
    private List<TensorDecision> aggregateExperts(List<TensorDecision> raw) {
        Map<String, Integer> maxBits = new LinkedHashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            TensorAnalysis t = tensors.get(i);
            if (t.tensorClass().expert() < 0) continue;
            maxBits.merge(stackKey(t), raw.get(i).bits(), Math::max);
        }
        if (maxBits.isEmpty()) return raw;
        List<TensorDecision> out = new ArrayList<>(raw);
        for (int i = 0; i < raw.size(); i++) {
            TensorAnalysis t = tensors.get(i);
            if (t.tensorClass().expert() < 0) continue;
            int b = maxBits.get(stackKey(t));
            TensorDecision d = raw.get(i);
            if (b != d.bits()) {
                out.set(i, new TensorDecision(d.name(), b, 0, "moe_stack_max(" + b + "); own: " + d.reason(), d.composite()));
            }
        }
        return out;
    }

    private static String stackKey(TensorAnalysis t) {
        return t.tensorClass().layer() + "/" + t.role() + "/" + t.name().replaceAll("\\.experts\\.\\d+\\.", ".experts.*.");
    }

    private TensorDecision withGroup(TensorAnalysis t, TensorDecision d) {
        if (!d.quantized()) return new TensorDecision(d.name(), 16, 0, d.reason(), d.composite());
        long cols = t.cols();
        int g = d.groupSize() > 0 && cols % d.groupSize() == 0 ? d.groupSize()
                : GroupSizes.choose(policy.groupSizes(), d.bits(), cols);
        if (g == 0 || t.rank() < 2) {
            return new TensorDecision(d.name(), 16, 0, d.reason() + "; no group of 32/64/128 divides the row length "
                    + cols + ": kept in float", d.composite());
        }
        return new TensorDecision(d.name(), d.bits(), g, d.reason(), d.composite());
    }

    private static String fmt(double s) {
        return String.format(Locale.ROOT, "composite_score=%.3f", s);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
