package dev.swan.metric.svd;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SWAN metric 1, spectral concentration (SWAN paper v2): c = energy of the top 10% singular values
 * over the energy of all values obtained; score clip((c − 0.1)/0.8). Exact spectrum when
 * min(m, n) ≤ 512, otherwise a randomized estimate of the top 256 (2 power iterations), in which case
 * the denominator is the energy of those 256 values, as in the reference; {@code denominator: frobenius}
 * divides by ‖W‖²_F instead.
 */
public final class SvdConcentrationMetric implements SensitivityMetric {

    /**
     * One block of rows (and its product), plus the randomized SVD's q-wide sketches (two of the basis
     * side, one of the other, and the Gaussian start when it is on the short side) or the exact path's
     * Gram matrix and its conversion buffers.
     */
    @Override
    public long workingBytes(int rows, int cols, Parameters p) {
        long minDim = Math.min(rows, cols);
        long block = 4L * Math.min((long) rows * cols, Math.max(cols, MatrixRows.BLOCK_ELEMENTS));
        if (minDim <= p.getInt("exact_max_dim")) return block + 8L * minDim * minDim * 2 + 8L * 256 * minDim;
        long q = Math.min(p.getInt("rank"), minDim);
        long basis = minDim;
        long other = Math.max(rows, cols);
        long blockOut = 4L * Math.max(1, MatrixRows.BLOCK_ELEMENTS / cols) * q;
        return block + blockOut + 4L * q * (3 * basis + other + (rows <= cols ? other : 0));
    }

    @Override
    public boolean readsRows() {
        return true;
    }

    @Override
    public MetricResult measure(FloatMatrix w, MetricContext ctx) {
        return measureRows(w, ctx);
    }

    @Override
    public String id() {
        return "svd";
    }

    @Override
    public String description() {
        return "SVD spectral concentration: energy share of the top 10% singular values";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofInt("rank", 256, "sketch size q of the randomized SVD").withRange(1, 8192),
                ParameterSpec.ofInt("power_iterations", 2, "subspace iterations of the randomized SVD").withRange(0, 64),
                ParameterSpec.ofInt("exact_max_dim", 512, "exact spectrum when min(rows, cols) is at most this").withRange(0, 8192),
                ParameterSpec.ofDouble("top_fraction", 0.10, "share of the singular values counted as 'top'").withRange(1e-6, 1),
                ParameterSpec.ofString("denominator", "obtained",
                        "energy the top values are divided by: the values obtained (reference) or ||W||_F^2",
                        "obtained", "frobenius"),
                ParameterSpec.ofDouble("score_low", 0.10, "concentration mapped to score 0"),
                ParameterSpec.ofDouble("score_high", 0.90, "concentration mapped to score 1"));
    }

    @Override
    public MetricResult measureRows(MatrixRows w, MetricContext ctx) {
        Parameters p = ctx.parameters();
        double frobenius = ctx.stats().sumSquares();
        if (!(frobenius >= 1e-12) || ctx.stats().nonFinite() > 0) {
            boolean broken = ctx.stats().nonFinite() > 0;
            // zero tensor: score 0; non-finite weights: the reference's "SVD failed" score of 0.5
            return new MetricResult(Double.NaN, broken ? 0.5 : 0.0, Map.of("failed", broken ? 1.0 : 0.0));
        }
        int minDim = Math.min(w.rows(), w.cols());
        boolean exact = minDim <= p.getInt("exact_max_dim");
        double[] energies;
        try {
            energies = exact ? SpectrumEstimator.exact(w, ctx.parallel())
                    : SpectrumEstimator.randomized(w, Math.min(p.getInt("rank"), minDim), p.getInt("power_iterations"),
                    ctx.seed("svd-sketch"), ctx.parallel());
        } catch (ArithmeticException e) {
            return new MetricResult(Double.NaN, 0.5, Map.of("failed", 1.0));
        }
        int r = energies.length;
        int t = Math.max(1, (int) Math.floor(r * p.getDouble("top_fraction")));
        double top = 0;
        double all = 0;
        for (int i = 0; i < r; i++) {
            all += energies[i];
            if (i < t) top += energies[i];
        }
        double denom = p.getString("denominator").equals("frobenius") ? frobenius : all;
        if (!(denom >= 1e-12)) return new MetricResult(0, 0, Map.of());
        double c = top / denom;
        double lo = p.getDouble("score_low");
        double hi = p.getDouble("score_high");
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("values", (double) r);
        details.put("exact", exact ? 1.0 : 0.0);
        details.put("sigma_max", Math.sqrt(energies[0]));
        details.put("captured_energy", all / frobenius);
        return new MetricResult(c, MetricResult.clip01((c - lo) / (hi - lo)), details);
    }
}
