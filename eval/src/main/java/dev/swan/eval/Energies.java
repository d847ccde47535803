package dev.swan.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects, for every projection a pass runs, the sum of squares of each input column and the number of
 * positions seen: what llama.cpp's imatrix tool records (its importance matrix), here over text the model
 * wrote itself. Keyed by the weight's Hugging Face name; a tied head is the embedding's entry.
 */
final class Energies {
    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** Adds the columns of {@code x[in × t]} (feature-major) as inputs of {@code l}. */
    synchronized void add(Linear l, float[] x, int t) {
        double[] s = sums.computeIfAbsent(l.weight().name(), k -> new double[l.in()]);
        for (int k = 0; k < l.in(); k++) {
            double a = 0;
            for (int p = 0; p < t; p++) a += (double) x[k * t + p] * x[k * t + p];
            s[k] += a;
        }
        counts.merge(l.weight().name(), (long) t, Long::sum);
    }

    /** Mean square per column, per weight. */
    synchronized Map<String, float[]> means() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            long n = counts.get(e.getKey());
            float[] v = new float[e.getValue().length];
            for (int k = 0; k < v.length; k++) v[k] = (float) (e.getValue()[k] / n);
            out.put(e.getKey(), v);
        }
        return out;
    }
}
