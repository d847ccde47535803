package dev.swan.allocator.threshold;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.ConfigException;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.DoubleFunction;

/**
 * Budget mode (SWAN paper v2 and this project): chooses the thresholds so the plan lands on a target effective
 * bits per weight or byte size, computed with the target format's real sizes.
 *
 * <p>The plan's size is a step function of each threshold, changing only where the threshold crosses a
 * tensor's composite score. So instead of bisecting a continuous threshold the search bisects the
 * sorted list of those scores (the breakpoints), which finds the exact nearest plans in O(log N) plan
 * evaluations: T8 first; T16 when even all-8-bit is below the target; T2 (when 2-bit is enabled) when
 * even no-8-bit is above it.
 */
final class BudgetSearch {
    /** Tolerances of the issue: ±0.05 effective bits, or ±1% of the size. */
    static final double BITS_TOLERANCE = 0.05;
    static final double SIZE_TOLERANCE = 0.01;

    record Result(Thresholds thresholds, List<TensorDecision> plan, long bytes, double effectiveBits,
                  String phase, String note) {
    }

    private final Planner planner;
    private final TensorSizer sizer;
    private final long storedParams;
    private final List<TensorAnalysis> tensors;

    BudgetSearch(Planner planner, List<TensorAnalysis> tensors, TensorSizer sizer) {
        this.tensors = tensors;
        this.planner = planner;
        this.sizer = sizer;
        long p = 0;
        for (TensorAnalysis t : tensors) if (sizer.bytes(t, 16, 0) > 0) p += t.params();
        this.storedParams = Math.max(1, p);
    }

    double bits(long bytes) {
        return bytes * 8.0 / storedParams;
    }

    private double targetBytes(AllocationPolicy.Target target) {
        return target.effectiveBits() > 0 ? target.effectiveBits() * storedParams / 8.0 : target.bytes();
    }

    /**
     * Before measuring: refuses a target outside the range any scores could reach. Built on a planner
     * whose every composite is 0 and whose 2-bit veto passes, the smallest plan here is a lower bound of
     * the real one; the largest (everything the rules allow in float) is exact.
     */
    void checkReachable(AllocationPolicy.Target target, boolean twoBit) {
        double targetBytes = targetBytes(target);
        Thresholds floor = new Thresholds(1.01, 1.01, twoBit ? 1.0 : -1);
        long smallest = size(floor);
        if (targetBytes < smallest) {
            throw refuse(target, smallest, levers(floor) + "; " + (twoBit ? "" : "enable 2-bit (threshold.enable_2bit=true), ")
                    + "use --allocator rd (every encoding the format offers), or raise the target (checked from the "
                    + "tensor shapes before measuring)");
        }
        long largest = size(new Thresholds(-1, 1.01, -1));
        if (targetBytes > largest) throw aboveLargest(target, largest);
    }

    Result search(Thresholds base, AllocationPolicy.Target target, boolean twoBit) {
        double targetBytes = targetBytes(target);
        List<Double> cuts = breakpoints();
        Thresholds noEight = base.withT8(1.01).withT2(-1);
        Thresholds allEight = base.withT8(cuts.get(0)).withT2(-1);
        long smallest = size(noEight);
        long largestEight = size(allEight);
        if (targetBytes < smallest) {
            if (!twoBit) throw refuse(target, smallest, "enable 2-bit (allocator parameter enable_2bit: true) or raise the target");
            long min2 = size(noEight.withT2(1.0));
            if (targetBytes < min2) throw refuse(target, min2, "raise the target");
            // T2 up → more 2-bit → smaller: find where the size crosses the target
            return nearest(cuts, v -> noEight.withT2(v), targetBytes, target, false, "t2");
        }
        if (targetBytes <= largestEight) {
            return nearest(cuts, v -> base.withT8(v).withT2(-1), targetBytes, target, true, "t8");
        }
        long largest = size(allEight.withT16(cuts.get(0)));
        if (targetBytes > largest) throw aboveLargest(target, largest);
        return nearest(cuts, v -> allEight.withT16(v), targetBytes, target, true, "t16");
    }

    /**
     * Bisects the breakpoints for the threshold value whose plan is nearest the target. {@code growsDown}:
     * true when lowering the threshold enlarges the plan (T8, T16), false for T2, where raising it shrinks the plan.
     */
    private Result nearest(List<Double> cuts, DoubleFunction<Thresholds> at, double targetBytes,
                           AllocationPolicy.Target target, boolean growsDown, String phase) {
        // candidate threshold values ordered so that plan size is non-increasing along the list
        List<Double> vals = new ArrayList<>();
        if (growsDown) {
            vals.addAll(cuts);
            vals.add(1.01);
        } else {
            vals.add(-1.0);
            vals.addAll(cuts);
            vals.add(1.0);
        }
        int lo = 0;
        int hi = vals.size() - 1;
        // first index whose size is <= target
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (size(at.apply(vals.get(mid))) <= targetBytes) hi = mid;
            else lo = mid + 1;
        }
        int below = lo;
        int above = Math.max(0, below - 1);
        long sBelow = size(at.apply(vals.get(below)));
        long sAbove = size(at.apply(vals.get(above)));
        boolean pickAbove = Math.abs(sAbove - targetBytes) < Math.abs(targetBytes - sBelow);
        int pick = pickAbove ? above : below;
        Thresholds th = at.apply(vals.get(pick));
        List<TensorDecision> plan = planner.plan(th);
        long bytes = planner.bytes(plan, sizer);
        boolean within = target.effectiveBits() > 0
                ? Math.abs(bits(bytes) - target.effectiveBits()) <= BITS_TOLERANCE
                : Math.abs(bytes - targetBytes) <= SIZE_TOLERANCE * targetBytes;
        String note = within ? "" : String.format(Locale.ROOT,
                "no plan within tolerance of %s: nearest below %.3f bits/weight (%d bytes), nearest above %.3f bits/weight (%d bytes)",
                describe(target), bits(sBelow), sBelow, bits(sAbove), sAbove);
        return new Result(th, plan, bytes, bits(bytes), phase, note);
    }

    private List<Double> breakpoints() {
        TreeSet<Double> set = new TreeSet<>(planner.governedScores());
        List<Double> cuts = new ArrayList<>(set);
        if (cuts.isEmpty()) cuts.add(0.0);
        return cuts;
    }

    private long size(Thresholds th) {
        return planner.bytes(planner.plan(th), sizer);
    }

    private ConfigException aboveLargest(AllocationPolicy.Target target, long largest) {
        return new ConfigException("target " + describe(target) + " is above the largest plan ("
                + String.format(Locale.ROOT, "%.3f", bits(largest)) + " bits/weight, " + largest
                + " bytes, everything in float): lower the target");
    }

    /** What holds the smallest plan up: bytes in float, in protected floors, at the default bits. */
    private String levers(Thresholds th) {
        List<TensorDecision> plan = planner.plan(th);
        long kept = 0, floored = 0, rest = 0;
        for (int i = 0; i < plan.size(); i++) {
            long b = sizer.bytes(tensors.get(i), plan.get(i));
            if (plan.get(i).reason().startsWith("protected") && plan.get(i).quantized()) floored += b;
            else if (!plan.get(i).quantized()) kept += b;
            else rest += b;
        }
        return String.format(Locale.ROOT, "of it, %d bytes are tensors kept in float (norms, rows no group divides), "
                + "%d bytes protected tensors at their floor (lower threshold.protected_bits), %d bytes the rest at "
                + "threshold.default_bits", kept, floored, rest);
    }

    private ConfigException refuse(AllocationPolicy.Target target, long minimum, String fix) {
        return new ConfigException("target " + describe(target) + " is below the smallest achievable plan: "
                + String.format(Locale.ROOT, "%.3f", bits(minimum)) + " bits/weight (" + minimum + " bytes); " + fix);
    }

    private static String describe(AllocationPolicy.Target t) {
        return t.effectiveBits() > 0 ? String.format(Locale.ROOT, "%.3f bits/weight", t.effectiveBits())
                : t.bytes() + " bytes";
    }
}
