package dev.swan.metric.noise;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.toolkit.numeric.RowBlocks;
import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.api.numeric.TensorStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SWAN metric 3, output noise amplification (SWAN paper v2): with p = min(32, n) unit-norm Gaussian
 * probes X and uniform noise E of step Δ = (max − min)/16 over the whole tensor,
 * δ = ‖E·X‖_F / (‖W·X‖_F + 1e-8); score 0 when δ &lt; 1e-6, else clip((log₁₀ max(δ, 0.01) + 2)/3).
 * The closed form range/(16·√12·rms), which δ estimates, is reported next to it as a cross-check.
 *
 * <p>E is never held whole: it is drawn in blocks of rows, each row from its own seeded generator, and
 * multiplied by X at once, so memory stays at one block and the result is the same on any thread count.
 */
public final class OutputNoiseMetric implements SensitivityMetric {
    private static final int ROW_BLOCK = 64;

    @Override
    public String id() {
        return "noise";
    }

    @Override
    public String description() {
        return "Output noise amplification under simulated 4-bit noise (random probes)";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofInt("probes", 32, "number of random unit probes (at most the row length)").withRange(1, 4096),
                ParameterSpec.ofDouble("levels", 16, "noise step = (max - min) / levels (16 stands for 4 bits)").withRange(1, 1 << 16),
                ParameterSpec.ofString("normalization", "log", "score mapping: log (paper v2) or linear (v1, delta/0.1)",
                        "log", "linear"));
    }

    @Override
    public MetricResult measure(FloatMatrix w, MetricContext ctx) {
        return measureRows(w, ctx);
    }

    /** W·X and, per task in flight, its rows and their noise (a few tasks run at once). */
    @Override
    public long workingBytes(int rows, int cols, Parameters p) {
        int probes = Math.max(1, Math.min(p.getInt("probes"), cols));
        return 4L * rows * probes + 4 * (8L * ROW_BLOCK * cols + 4L * cols * probes);
    }

    @Override
    public boolean readsRows() {
        return true;
    }

    @Override
    public MetricResult measureRows(MatrixRows w, MetricContext ctx) {
        Parameters p = ctx.parameters();
        TensorStats s = ctx.stats();
        int m = w.rows();
        int n = w.cols();
        int probes = Math.max(1, Math.min(p.getInt("probes"), n));
        double step = s.range() / p.getDouble("levels");
        float[] x = probes(n, probes, ctx.seed("noise-probes"));
        Parallel par = ctx.parallel();
        float[] wx = new float[m * probes];
        // W·X by rows: each task reads its own rows (the same values as one product of the whole)
        RowBlocks.forEachRowTask(w, ROW_BLOCK, par, (t, r0, rows, block) -> {
            float[] out = new float[rows * probes];
            MatMul.multiply(block, rows, n, x, probes, out, Parallel.sequential());
            System.arraycopy(out, 0, wx, r0 * probes, rows * probes);
        });
        double clean = 0;
        for (float v : wx) clean += (double) v * v;
        double noise = noiseEnergy(m, n, x, probes, (float) step, ctx.seed("noise-uniform"), par);
        double delta = Math.sqrt(noise) / (Math.sqrt(clean) + 1e-8);
        double score;
        if (p.getString("normalization").equals("linear")) {
            score = MetricResult.clip01(delta / 0.1);
        } else {
            score = delta < 1e-6 ? 0 : MetricResult.clip01((Math.log10(Math.max(delta, 0.01)) + 2) / 3);
        }
        Map<String, Double> details = new LinkedHashMap<>();
        double rms = s.rms();
        details.put("crest_estimate", rms > 0 ? s.range() / (p.getDouble("levels") * Math.sqrt(12) * rms) : 0);
        details.put("noise_step", step);
        return new MetricResult(delta, score, details);
    }

    /** n × probes, column j a standard Gaussian vector scaled to unit norm (norm + 1e-8, as the reference). */
    static float[] probes(int n, int probes, long seed) {
        float[] x = new float[n * probes];
        for (int j = 0; j < probes; j++) {
            SeededRandom r = SeededRandom.derive(seed, j);
            double norm = 0;
            double[] col = new double[n];
            for (int k = 0; k < n; k++) {
                col[k] = r.nextGaussian();
                norm += col[k] * col[k];
            }
            double inv = 1 / (Math.sqrt(norm) + 1e-8);
            for (int k = 0; k < n; k++) x[k * probes + j] = (float) (col[k] * inv);
        }
        return x;
    }

    /** ‖E·X‖²_F with E ~ U(−step/2, step/2)^{m×n}, drawn block by block. */
    private static double noiseEnergy(int m, int n, float[] x, int probes, float step, long seed, Parallel par) {
        int blocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
        double[] partial = new double[blocks];
        par.forEach(blocks, b -> {
            int r0 = b * ROW_BLOCK;
            int rows = Math.min(ROW_BLOCK, m - r0);
            float[] e = new float[rows * n];
            for (int i = 0; i < rows; i++) {
                SeededRandom r = SeededRandom.derive(seed, r0 + i);
                for (int k = 0; k < n; k++) e[i * n + k] = (r.nextFloat() - 0.5f) * step;
            }
            float[] ex = new float[rows * probes];
            MatMul.multiply(e, rows, n, x, probes, ex, Parallel.sequential());
            double acc = 0;
            for (float v : ex) acc += (double) v * v;
            partial[b] = acc;
        });
        double total = 0;
        for (double v : partial) total += v;
        return total;
    }
}
