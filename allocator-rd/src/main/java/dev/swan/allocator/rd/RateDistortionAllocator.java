package dev.swan.allocator.rd;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.BitAllocator;
import dev.swan.api.ConfigException;
import dev.swan.api.Encoding;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.Sensitivity;
import dev.swan.api.SpiVersion;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.toolkit.model.ExpertWeight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rate–distortion allocation (this project's method; the SWAN paper's threshold allocator stays
 * selectable as {@code threshold}): every tensor may take any encoding its output format offers, each
 * with its exact byte cost and its measured relative squared error (metric {@code qerror}); the damage of
 * a choice is that error times the tensor's importance, and the plan is the one with the least summed
 * damage within the byte budget (Lagrangian search on each tensor's lower convex hull, then the leftover
 * bytes spent on the most efficient upgrades that still fit). A mixture-of-experts stack (one layer's
 * experts of one projection) is decided as one unit, since runtimes store it with one type.
 *
 * <p>Importance: the measured sensitivity of the request ({@code --self-calibrate}: KL divergence per unit
 * of relative noise in that tensor alone, on text the model generated itself) when present, else a
 * weight-only prior ({@code importance} parameter).
 */
public final class RateDistortionAllocator implements BitAllocator {

    @Override
    public String id() {
        return "rd";
    }

    @Override
    public String description() {
        return "Least predicted damage within a byte budget over every encoding the format offers (needs a target)";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofString("importance", "auto", "what weighs a tensor's error: measured sensitivity "
                        + "(auto: when measured, else params), params (each weight's relative error counts once), "
                        + "uniform (each tensor's relative error counts once)", "auto", "measured", "params", "uniform"),
                ParameterSpec.ofInt("protected_bits", 8, "least bits for tensors matching --protect patterns (16: float)"),
                ParameterSpec.ofInt("sensitive_bits", 8, "least bits for tensors matching --sensitive patterns"),
                ParameterSpec.ofDouble("costly_below_bits", 4.0, "encodings their format marks costly (the GGUF lattice "
                        + "i-quants, whose searches cost 10-20 times a K-quant's write time) are candidates only for targets "
                        + "below this many bits per weight (at 4-bit sizes they changed no plan on the shared models; at 8B "
                        + "they made the write 10 min instead of 6); 17 admits them always"));
    }

    @Override
    public List<String> requiredMetrics() {
        return List.of("qerror");
    }

    /** The plan reads each encoding's measured error and the measured sensitivities, not the composite. */
    @Override
    public boolean readsComposite() {
        return false;
    }

    @Override
    public void preflight(AllocationRequest r) {
        if (r.policy().target() == null) {
            throw new ConfigException("the rd allocator needs a size target: give --target-size or --target-bits "
                    + "(or choose --allocator threshold for fixed thresholds)");
        }
        List<Option[]> options = Units.of(r, options(r, true)).options();
        long[] range = range(options);
        range[0] = Math.max(0, range[0]);
        double target = targetBytes(r);
        if (target < range[0]) {
            throw new ConfigException(String.format(Locale.ROOT, "target %s is below the smallest achievable plan "
                    + "(%d bytes, %.3f bits/weight: every tensor at its cheapest encoding; checked from the tensor shapes "
                    + "before measuring): raise the target%s", r.policy().target(), range[0], bits(r, range[0]),
                    r.policy().protectedPatterns().isEmpty() && r.policy().sensitivePatterns().isEmpty() ? ""
                            : ", or lower rd.protected_bits / rd.sensitive_bits or drop --protect / --sensitive patterns"));
        }
        if (target > range[1]) {
            throw new ConfigException(String.format(Locale.ROOT, "target %s is above the largest plan (%d bytes, "
                    + "everything in float): lower the target", r.policy().target(), range[1] + r.sizer().fixedBytes()));
        }
    }

    /** One way to store one tensor: its bytes, its predicted damage and the decision that asks for it. */
    record Option(long bytes, double damage, TensorDecision decision) {
        /** Damage the arithmetic can compare: an overflowed or undefined error (weights near the float limit) is the worst. */
        static final double WORST = 1e250;

        Option {
            if (!(damage <= WORST)) damage = WORST;
        }

    }

    /**
     * The units a plan decides: one per tensor, except that every expert slice of one (layer, projection)
     * is one unit (a runtime stores the stack with one type): its options sum the slices' bytes and damage.
     * {@code members} lists each unit's tensor indices; {@code perTensor} keeps each tensor's own options.
     */
    record Units(List<int[]> members, List<Option[]> perTensor, List<Option[]> options) {
        static Units of(AllocationRequest r, List<Option[]> perTensor) {
            Map<String, List<Integer>> byKey = new LinkedHashMap<>();
            for (int i = 0; i < r.tensors().size(); i++) {
                String name = r.tensors().get(i).name();
                String key = ExpertWeight.parse(name).filter(x -> !x.isStack()).map(ExpertWeight::stackName).orElse(name);
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
            List<int[]> members = new ArrayList<>();
            List<Option[]> options = new ArrayList<>();
            for (List<Integer> group : byKey.values()) {
                Option[] first = perTensor.get(group.get(0));
                boolean same = true;
                for (int i : group) same &= sameChoices(first, perTensor.get(i));
                if (!same) { // slices offered different encodings: decide them one by one
                    for (int i : group) {
                        members.add(new int[] {i});
                        options.add(perTensor.get(i));
                    }
                    continue;
                }
                Option[] merged = new Option[first.length];
                for (int o = 0; o < first.length; o++) {
                    long bytes = 0;
                    double damage = 0;
                    for (int i : group) {
                        bytes += perTensor.get(i)[o].bytes;
                        damage += perTensor.get(i)[o].damage;
                    }
                    merged[o] = new Option(bytes, damage, first[o].decision);
                }
                members.add(group.stream().mapToInt(Integer::intValue).toArray());
                options.add(merged);
            }
            return new Units(members, perTensor, options);
        }

        private static boolean sameChoices(Option[] a, Option[] b) {
            if (a.length != b.length) return false;
            for (int o = 0; o < a.length; o++) {
                TensorDecision x = a[o].decision, y = b[o].decision;
                if (x.bits() != y.bits() || x.groupSize() != y.groupSize() || !x.encoding().equals(y.encoding())) return false;
            }
            return true;
        }
    }

    @Override
    public AllocationPlan allocate(AllocationRequest r, ProgressSink progress) {
        preflight(r);
        Units units = Units.of(r, options(r, false));
        List<Option[]> options = units.options();
        double budget = targetBytes(r);
        int n = options.size();
        // λ: bytes priced in damage; the smallest λ whose plan fits is the least-damage plan on the hull
        double lo = 0, hi = 1;
        while (total(options, pick(options, hi)) > budget && hi < 1e30) hi *= 4;
        for (int it = 0; it < 200; it++) {
            double mid = (lo + hi) / 2;
            if (total(options, pick(options, mid)) > budget) lo = mid;
            else hi = mid;
        }
        int[] choice = pick(options, hi);
        long used = total(options, choice);
        // spend what is left: repeatedly the upgrade with the best damage saved per byte that still fits
        boolean improved = true;
        while (improved) {
            improved = false;
            int bestT = -1, bestO = -1;
            double bestGain = 0;
            for (int t = 0; t < n; t++) {
                Option cur = options.get(t)[choice[t]];
                for (int o = 0; o < options.get(t).length; o++) {
                    Option c = options.get(t)[o];
                    long extra = c.bytes - cur.bytes;
                    double saved = cur.damage - c.damage;
                    if (!(saved > 0) || used + extra > budget) continue;
                    double gain = extra <= 0 ? Double.MAX_VALUE : saved / extra;
                    if (gain > bestGain) {
                        bestGain = gain;
                        bestT = t;
                        bestO = o;
                    }
                }
            }
            if (bestT >= 0) {
                used += options.get(bestT)[bestO].bytes - options.get(bestT)[choice[bestT]].bytes;
                choice[bestT] = bestO;
                improved = true;
            }
        }
        if (n <= EXCHANGE_LIMIT) used = exchange(options, choice, used, budget);
        TensorDecision[] decided = new TensorDecision[r.tensors().size()];
        double damage = 0;
        for (int t = 0; t < n; t++) {
            for (int m : units.members().get(t)) decided[m] = units.perTensor().get(m)[choice[t]].decision;
            damage += options.get(t)[choice[t]].damage;
        }
        List<TensorDecision> out = List.of(decided);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("target", r.policy().target().toString());
        settings.put("importance", importance(r));
        settings.put("planned_bytes", used + r.sizer().fixedBytes());
        settings.put("effective_bits", Math.round(bits(r, used) * 1e6) / 1e6);
        settings.put("predicted_damage", damage);
        return new AllocationPlan(id(), settings, out);
    }

    /** Models with more tensors than this skip the pairwise exchange (quadratic in tensors and options; with
     * many tensors the hull search alone is within a sliver of the optimum). */
    static final int EXCHANGE_LIMIT = 200;

    /**
     * Pairwise exchanges the hull search cannot see (a budget is a knapsack): while some tensor can move up
     * while another moves down, within the budget and with less summed damage, make the best such move.
     */
    private static long exchange(List<Option[]> options, int[] choice, long used, double budget) {
        int n = options.size();
        for (int round = 0; round < 500; round++) {
            double bestGain = 1e-15;
            int ua = -1, oa = -1, ub = -1, ob = -1;
            for (int a = 0; a < n; a++) {
                Option ca = options.get(a)[choice[a]];
                for (int i = 0; i < options.get(a).length; i++) {
                    Option up = options.get(a)[i];
                    double saved = ca.damage - up.damage;
                    long extra = up.bytes - ca.bytes;
                    if (saved <= bestGain || extra <= 0) continue;
                    for (int b = 0; b < n; b++) {
                        if (b == a) continue;
                        Option cb = options.get(b)[choice[b]];
                        for (int j = 0; j < options.get(b).length; j++) {
                            Option down = options.get(b)[j];
                            long freed = cb.bytes - down.bytes;
                            if (freed <= 0 || used + extra - freed > budget) continue;
                            double gain = saved - (down.damage - cb.damage);
                            if (gain > bestGain) {
                                bestGain = gain;
                                ua = a;
                                oa = i;
                                ub = b;
                                ob = j;
                            }
                        }
                    }
                }
            }
            if (ua < 0) return used;
            used += options.get(ua)[oa].bytes - options.get(ua)[choice[ua]].bytes
                    + options.get(ub)[ob].bytes - options.get(ub)[choice[ub]].bytes;
            choice[ua] = oa;
            choice[ub] = ob;
        }
        return used;
    }

    private static int[] pick(List<Option[]> options, double lambda) {
        int[] c = new int[options.size()];
        for (int t = 0; t < c.length; t++) {
            Option[] os = options.get(t);
            double best = Double.MAX_VALUE;
            for (int o = 0; o < os.length; o++) {
                double cost = os[o].damage + lambda * os[o].bytes;
                if (cost < best || (cost == best && os[o].bytes < os[c[t]].bytes)) {
                    best = cost;
                    c[t] = o;
                }
            }
        }
        return c;
    }

    private static long total(List<Option[]> options, int[] choice) {
        long s = 0;
        for (int t = 0; t < choice.length; t++) s += options.get(t)[choice[t]].bytes;
        return s;
    }

    private static long[] range(List<Option[]> options) {
        long min = 0, max = 0;
        for (Option[] os : options) {
            long a = Long.MAX_VALUE, b = 0;
            for (Option o : os) {
                a = Math.min(a, o.bytes);
                b = Math.max(b, o.bytes);
            }
            min += a;
            max += b;
        }
        return new long[] {min, max};
    }

    /** The budget for tensor bytes: the target minus what the format adds whatever the plan. */
    private static double targetBytes(AllocationRequest r) {
        AllocationPolicy.Target t = r.policy().target();
        return t.effectiveBits() > 0 ? t.effectiveBits() * storedParams(r) / 8.0 : t.bytes() - r.sizer().fixedBytes();
    }

    private static long storedParams(AllocationRequest r) {
        long p = 0;
        for (TensorAnalysis t : r.tensors()) if (r.sizer().bytes(t, 16, 0) > 0) p += t.params();
        return Math.max(1, p);
    }

    private static double bits(AllocationRequest r, long bytes) {
        return bytes * 8.0 / storedParams(r);
    }

    private static String importance(AllocationRequest r) {
        String i = r.parameters().getString("importance");
        if (i.equals("auto")) return r.sensitivity().isEmpty() ? "params" : "measured";
        if (i.equals("measured") && r.sensitivity().isEmpty()) {
            throw new ConfigException("rd.importance=measured needs measured sensitivities: add --self-calibrate N");
        }
        return i;
    }

    /** Encodings their format marks costly are candidates only for plans below {@code costly_below_bits}. */
    private static boolean costlyAllowed(AllocationRequest r) {
        return r.policy().target() == null
                || targetBytes(r) * 8.0 / storedParams(r) < r.parameters().getDouble("costly_below_bits");
    }

    @Override
    public java.util.function.Predicate<Encoding> candidates(AllocationRequest shapesOnly) {
        return costlyAllowed(shapesOnly) ? e -> true : e -> e.cost() <= 1;
    }

    /** Every tensor's options; {@code shapesOnly}: before measuring, errors are not known (damage 0). */
    private static List<Option[]> options(AllocationRequest r, boolean shapesOnly) {
        Parameters p = r.parameters();
        String importance = shapesOnly ? "uniform" : importance(r);
        List<Pattern> protect = patterns(r.policy().protectedPatterns());
        List<Pattern> sensitive = patterns(r.policy().sensitivePatterns());
        List<Pattern> overrides = new ArrayList<>();
        for (AllocationPolicy.Override o : r.policy().overrides()) overrides.add(Pattern.compile(o.pattern()));
        TensorSizer sizer = r.sizer();
        boolean costly = costlyAllowed(r);
        List<Option[]> out = new ArrayList<>();
        for (TensorAnalysis t : r.tensors()) {
            int o = first(overrides, t.name());
            if (o >= 0) {
                AllocationPolicy.Override ov = r.policy().overrides().get(o);
                TensorDecision d = ov.decide(t.name(), r.encodings().getOrDefault(t.name(), List.of()), r.policy().groupSizes());
                out.add(new Option[] {new Option(sizer.bytes(t, d), 0, d)});
                continue;
            }
            List<Encoding> encs = r.encodings().getOrDefault(t.name(), List.of());
            int floor = first(protect, t.name()) >= 0 ? p.getInt("protected_bits")
                    : first(sensitive, t.name()) >= 0 ? p.getInt("sensitive_bits") : 0;
            MetricResult errors = t.metrics().get("qerror");
            List<Option> os = new ArrayList<>();
            for (Encoding e : encs) {
                if (e.bits() < floor || (e.cost() > 1 && !costly)) continue;
                double rel;
                if (e.isFloat()) {
                    rel = 0;
                } else if (shapesOnly) {
                    rel = 0;
                } else {
                    Double measured = errors == null ? null : errors.details().get(EncodingErrorMetric.PREFIX + e.id());
                    if (measured == null) {
                        if (t.analysed()) continue; // the metric could not take this encoding: not a candidate
                        rel = proxyError(e.bits()); // too large to measure: typical error of its width
                    } else {
                        rel = measured;
                    }
                }
                String why = e.isFloat() ? "rd: float" : String.format(Locale.ROOT, "rd: %s (relative error %.3g)", e.id(), rel);
                os.add(new Option(e.bytes(), damage(t, importance, r, rel), new TensorDecision(t.name(), e.bits(), e.groupSize(), why,
                        Double.NaN, e.id())));
            }
            if (os.isEmpty()) {
                TensorDecision d = new TensorDecision(t.name(), 16, 0, encs.isEmpty() ? "rd: not stored or no choice"
                        : "rd: float (floor " + floor + " bits)", Double.NaN);
                os.add(new Option(sizer.bytes(t, d), 0, d));
            }
            out.add(os.toArray(new Option[0]));
        }
        return out;
    }

    /** Predicted damage of a relative squared error {@code rel} in this tensor. */
    private static double damage(TensorAnalysis t, String importance, AllocationRequest r, double rel) {
        switch (importance) {
            case "measured": {
                Sensitivity s = r.sensitivity().get(t.name());
                return s == null ? 0 : s.damage(rel);
            }
            case "params": return t.params() * rel;
            default: return rel;
        }
    }

    /** Relative squared error of a b-bit round-to-nearest quantizer on Gaussian-like weights (~4^-b scaling). */
    static double proxyError(int bits) {
        return 0.0095 * Math.pow(4, 4 - bits);
    }

    private static List<Pattern> patterns(List<String> ps) {
        List<Pattern> out = new ArrayList<>();
        for (String s : ps) out.add(Pattern.compile(s));
        return out;
    }

    private static int first(List<Pattern> ps, String name) {
        for (int i = 0; i < ps.size(); i++) if (ps.get(i).matcher(name).find()) return i;
        return -1;
    }
}
