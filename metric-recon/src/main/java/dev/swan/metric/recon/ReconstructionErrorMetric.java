package dev.swan.metric.recon;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.Quantizer;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.toolkit.numeric.RowBlocks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SWAN metric 4, reconstruction-error proxy (SWAN paper v2): round-to-nearest min/max quantization
 * at 4 bits in groups of 128 along each row, NRMSE = ‖ŵ − w‖ / ‖w‖, score clip((NRMSE − 0.005)/0.045).
 * Rows not divisible by the group are zero-padded; by default the padded zeros' error counts, as in the
 * reference analyzer ({@code padding: trim} measures only the real weights, as its correlation script).
 *
 * <p>With {@code quantizer: mlx:4:64} or {@code gguf:Q4_K} (any spec an installed output format offers)
 * the error is measured with that real quantizer instead; tensors whose rows it cannot take fall back to
 * the proxy, which the {@code fallback} detail records.
 */
public final class ReconstructionErrorMetric implements SensitivityMetric {
    private static final int ROW_BLOCK = 256;

    @Override
    public String id() {
        return "recon";
    }

    @Override
    public String description() {
        return "4-bit group-128 round-to-nearest reconstruction error (NRMSE)";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofInt("bits", 4, "bits of the simulated min/max quantizer").withRange(1, 16),
                ParameterSpec.ofInt("group_size", 128, "group length along each row").withRange(1, 1 << 20),
                ParameterSpec.ofString("padding", "zeros",
                        "rows not divisible by the group: count the padded zeros' error (reference) or trim them",
                        "zeros", "trim"),
                ParameterSpec.ofString("quantizer", "proxy",
                        "'proxy' for the SWAN min/max quantizer, or a format's quantizer such as mlx:4:64 or gguf:Q4_K"),
                ParameterSpec.ofBoolean("measure_2bit", true,
                        "also record the 2-bit group-32 NRMSE (detail nrmse_2bit_g32), used by 2-bit SQNR vetoes"),
                ParameterSpec.ofDouble("score_low", 0.005, "NRMSE mapped to score 0"),
                ParameterSpec.ofDouble("score_high", 0.05, "NRMSE mapped to score 1"));
    }

    @Override
    public MetricResult measure(FloatMatrix w, MetricContext ctx) {
        return measureRows(w, ctx);
    }

    /** Per task in flight (a few run at once, say four), its block of rows and one row's round trip. */
    @Override
    public long workingBytes(int rows, int cols, Parameters p) {
        return 4 * (4L * ROW_BLOCK * cols + 8L * cols);
    }

    @Override
    public boolean readsRows() {
        return true;
    }

    @Override
    public MetricResult measureRows(MatrixRows w, MetricContext ctx) {
        Parameters p = ctx.parameters();
        if (ctx.stats().rms() < 1e-12) return MetricResult.of(0, 0);
        String spec = p.getString("quantizer");
        Optional<Quantizer> real = Optional.empty();
        boolean fallback = false;
        if (!spec.equals("proxy")) {
            real = ctx.quantizer(spec);
            if (real.isEmpty()) {
                throw new IllegalArgumentException("no installed output format offers quantizer '" + spec
                        + "' (examples: mlx:4:64, gguf:Q4_K); see 'swan plugins'");
            }
            if (w.cols() % real.get().blockSize() != 0) {
                real = Optional.empty();
                fallback = true;
            }
        }
        double[] sums = real.isPresent() ? realError(w, real.get(), ctx)
                : proxyError(w, p.getInt("bits"), p.getInt("group_size"), p.getString("padding").equals("zeros"), ctx);
        double nrmse = sums[1] > 0 ? Math.sqrt(sums[0] / sums[1]) : 0;
        double lo = p.getDouble("score_low");
        double hi = p.getDouble("score_high");
        Map<String, Double> details = new LinkedHashMap<>();
        if (fallback) details.put("fallback", 1.0);
        if (p.getBoolean("measure_2bit")) {
            double[] two = proxyError(w, 2, 32, p.getString("padding").equals("zeros"), ctx);
            details.put(MetricResult.NRMSE_2BIT_G32, two[1] > 0 ? Math.sqrt(two[0] / two[1]) : 0);
        }
        return new MetricResult(nrmse, MetricResult.clip01((nrmse - lo) / (hi - lo)), details);
    }

    /** {Σ(ŵ − w)², Σw²} for the min/max proxy, over blocks of rows merged in order. */
    static double[] proxyError(MatrixRows w, int bits, int group, boolean countPadding, MetricContext ctx) {
        int rows = w.rows();
        int cols = w.cols();
        float levels = (1 << bits) - 1;
        int groups = (cols + group - 1) / group;
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        double[][] partial = new double[blocks][2];
        RowBlocks.forEachRowTask(w, ROW_BLOCK, ctx.parallel(), (b, r0, count, a) -> {
            double err = 0;
            double energy = 0;
            for (int r = 0; r < count; r++) {
                int base = r * cols;
                for (int gi = 0; gi < groups; gi++) {
                    int start = gi * group;
                    int end = Math.min(cols, start + group);
                    int padded = start + group - end;
                    float mn = padded > 0 ? 0f : Float.POSITIVE_INFINITY;
                    float mx = padded > 0 ? 0f : Float.NEGATIVE_INFINITY;
                    for (int i = start; i < end; i++) {
                        float v = a[base + i];
                        if (v < mn) mn = v;
                        if (v > mx) mx = v;
                    }
                    float scale = Math.max((mx - mn) / levels, 1e-12f);
                    for (int i = start; i < end; i++) {
                        float v = a[base + i];
                        float q = Math.min(levels, Math.max(0f, (float) Math.rint((v - mn) / scale)));
                        float d = q * scale + mn - v;
                        err += (double) d * d;
                        energy += (double) v * v;
                    }
                    if (padded > 0 && countPadding) {
                        float q = Math.min(levels, Math.max(0f, (float) Math.rint((0f - mn) / scale)));
                        float d = q * scale + mn;
                        err += (double) d * d * padded;
                    }
                }
            }
            partial[b][0] = err;
            partial[b][1] = energy;
        });
        double[] total = new double[2];
        for (double[] pb : partial) {
            total[0] += pb[0];
            total[1] += pb[1];
        }
        return total;
    }

    private static double[] realError(MatrixRows w, Quantizer qz, MetricContext ctx) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        double[][] partial = new double[blocks][2];
        RowBlocks.forEachRowTask(w, ROW_BLOCK, ctx.parallel(), (b, r0, count, data) -> {
            float[] row = new float[cols];
            float[] out = new float[cols];
            for (int r = 0; r < count; r++) {
                System.arraycopy(data, r * cols, row, 0, cols);
                qz.roundTrip(row, out);
                for (int i = 0; i < cols; i++) {
                    double d = (double) out[i] - row[i];
                    partial[b][0] += d * d;
                    partial[b][1] += (double) row[i] * row[i];
                }
            }
        });
        double[] total = new double[2];
        for (double[] pb : partial) {
            total[0] += pb[0];
            total[1] += pb[1];
        }
        return total;
    }
}
