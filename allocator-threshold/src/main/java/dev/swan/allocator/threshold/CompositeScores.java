package dev.swan.allocator.threshold;

import dev.swan.api.ConfigException;
import dev.swan.api.MetricResult;
import dev.swan.api.TensorAnalysis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Composite score S = Σ wᵢ·scoreᵢ (SWAN paper v2), over whichever metrics the pipeline weights,
 * third-party ones included. With {@code hybrid} normalisation (this project's own design), a
 * metric whose fixed scores are degenerate for this model (over half the tensors pinned at 0 or 1, or a
 * spread below 0.05) is re-mapped onto the model's parameter-weighted P5–P95 range of its raw values.
 */
final class CompositeScores {
    /** Metrics whose raw values span decades and are compared on a log scale in hybrid mode. */
    private static final List<String> LOG_SCALE = List.of("noise", "recon");

    private CompositeScores() {
    }

    /** Refuses weights that are negative, empty or do not sum to 1. */
    static void validateWeights(Map<String, Double> weights) {
        if (weights.isEmpty()) throw new ConfigException("no metric has a weight: give each metric a weight, summing to 1");
        double sum = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0 || e.getValue().isNaN()) {
                throw new ConfigException("metric '" + e.getKey() + "' has weight " + e.getValue() + ": weights must be >= 0");
            }
            sum += e.getValue();
        }
        if (Math.abs(sum - 1.0) > 1e-6) {
            throw new ConfigException("metric weights sum to " + String.format(java.util.Locale.ROOT, "%.4f", sum)
                    + " " + weights + ": they must sum to 1 (paper defaults svd 0.20, kurtosis 0.45, noise 0.15, recon 0.20)");
        }
    }

    /** The composite of every analysed tensor, and in {@code mappings} which score mapping each metric used. */
    static Map<String, Double> compute(List<TensorAnalysis> tensors, Map<String, Double> weights, boolean hybrid,
                                       Map<String, String> mappings) {
        Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
        List<TensorAnalysis> analysed = new ArrayList<>();
        for (TensorAnalysis t : tensors) {
            if (!t.analysed()) continue;
            analysed.add(t);
            for (String id : weights.keySet()) {
                if (!t.metrics().containsKey(id)) {
                    throw new ConfigException("metric '" + id + "' has a weight but no result for " + t.name()
                            + ": re-run 'swan analyze' with that metric, or drop its weight");
                }
            }
        }
        for (String id : weights.keySet()) {
            Map<String, Double> byName = new LinkedHashMap<>();
            for (TensorAnalysis t : analysed) byName.put(t.name(), t.metrics().get(id).score());
            String mapping = "fixed";
            if (hybrid && isDegenerate(byName.values())) {
                Map<String, Double> adaptive = adaptive(analysed, id);
                if (adaptive != null) {
                    byName = adaptive;
                    mapping = "adaptive-p5-p95" + (LOG_SCALE.contains(id) ? "-log10" : "");
                }
            }
            mappings.put(id, mapping);
            scores.put(id, byName);
        }
        Map<String, Double> composite = new LinkedHashMap<>();
        for (TensorAnalysis t : analysed) {
            double s = 0;
            for (Map.Entry<String, Double> w : weights.entrySet()) s += w.getValue() * scores.get(w.getKey()).get(t.name());
            composite.put(t.name(), Math.max(0, Math.min(1, s)));
        }
        return composite;
    }

    private static boolean isDegenerate(java.util.Collection<Double> f) {
        if (f.isEmpty()) return false;
        int pinned = 0;
        double mean = 0;
        for (double v : f) {
            if (v <= 0 || v >= 1) pinned++;
            mean += v;
        }
        mean /= f.size();
        double var = 0;
        for (double v : f) var += (v - mean) * (v - mean);
        return pinned > f.size() / 2.0 || Math.sqrt(var / f.size()) < 0.05;
    }

    private static Map<String, Double> adaptive(List<TensorAnalysis> analysed, String id) {
        boolean log = LOG_SCALE.contains(id);
        double[][] vw = new double[analysed.size()][2];
        double total = 0;
        for (int i = 0; i < analysed.size(); i++) {
            MetricResult r = analysed.get(i).metrics().get(id);
            double g = log ? Math.log10(Math.max(r.raw(), 1e-12)) : r.raw();
            vw[i][0] = Double.isNaN(g) ? 0 : g;
            vw[i][1] = analysed.get(i).params();
            total += vw[i][1];
        }
        double[][] sorted = vw.clone();
        java.util.Arrays.sort(sorted, (a, b) -> Double.compare(a[0], b[0]));
        double p5 = percentile(sorted, total, 0.05);
        double p95 = percentile(sorted, total, 0.95);
        if (!(p95 > p5)) return null;
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < analysed.size(); i++) {
            out.put(analysed.get(i).name(), MetricResult.clip01((vw[i][0] - p5) / (p95 - p5)));
        }
        return out;
    }

    /** Parameter-weighted percentile: the first value whose cumulative weight reaches q of the total. */
    private static double percentile(double[][] sorted, double total, double q) {
        double cum = 0;
        for (double[] vw : sorted) {
            cum += vw[1];
            if (cum >= q * total) return vw[0];
        }
        return sorted[sorted.length - 1][0];
    }
}
