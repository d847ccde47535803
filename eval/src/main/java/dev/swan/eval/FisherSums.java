package dev.swan.eval;

import dev.swan.api.numeric.Parallel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every weight's {@link FisherStats}, keyed by its name, filled by the backward pass: for each projection
 * the pass reaches, the statistics of its weight gradient, then the gradient at its input.
 */
final class FisherSums {
    private final Map<String, FisherStats> stats = new LinkedHashMap<>();
    /** The whole gradients, summed over positions, when kept (for gradient checks on small models). */
    private final Map<String, float[]> gradients;

    FisherSums() {
        this(false);
    }

    private FisherSums(boolean keepGradients) {
        gradients = keepGradients ? new LinkedHashMap<>() : null;
    }

    /** Also keeps every weight's whole gradient: for checks against finite differences on small models. */
    static FisherSums keepingGradients() {
        return new FisherSums(true);
    }

    /** Weight {@code name}'s whole gradient (rows × cols), when kept. */
    float[] gradient(String name) {
        return gradients.get(name);
    }

    /** The projection's statistics for output gradients {@code delta} at inputs {@code x}; returns Wᵀ·delta. */
    float[] linear(Linear l, float[] delta, float[] x, int t, int[] bounds, Parallel par) {
        FisherStats s = of(l);
        s.add(delta, x, t, bounds, par);
        if (gradients != null) {
            float[] g = gradients.computeIfAbsent(l.weight().name(), k -> new float[l.out() * l.in()]);
            for (int i = 0; i < l.out(); i++) {
                for (int j = 0; j < l.in(); j++) {
                    double v = 0;
                    for (int p = 0; p < t; p++) v += (double) delta[i * t + p] * x[j * t + p];
                    g[i * l.in() + j] += (float) v;
                }
            }
        }
        float[] dx = new float[l.in() * t];
        l.backward(delta, t, dx, s.rowEnergy() == null ? s.newRowEnergy() : null, par);
        return dx;
    }

    FisherStats of(Linear l) {
        return stats.computeIfAbsent(l.weight().name(), k -> new FisherStats(l.out(), l.in()));
    }

    FisherStats of(String name, int rows, int cols) {
        return stats.computeIfAbsent(name, k -> new FisherStats(rows, cols));
    }

    /** Adds gradient rows ({@code g[k]} to row {@code index[k]}) of a looked-up weight, when gradients are kept. */
    void addRows(String name, int[] index, float[][] g) {
        if (gradients == null) return;
        FisherStats s = stats.get(name);
        int cols = s.colSums().length;
        float[] all = gradients.computeIfAbsent(name, k -> new float[s.rowSums().length * cols]);
        for (int k = 0; k < index.length; k++) {
            for (int j = 0; j < cols; j++) all[index[k] * cols + j] += g[k][j];
        }
    }

    Map<String, FisherStats> all() {
        return stats;
    }
}
