package dev.swan.allocator.rd;

import dev.swan.api.Encoding;
import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.Parameters;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Quantizer;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.SeededRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real error of every encoding the target format offers for this tensor (this project's metric, not
 * one of the SWAN paper's): each candidate's own quantizer round-trips a seeded sample of rows (a costly one,
 * by its format's word, every cost-th of them), and the
 * relative squared error ‖ŵ − w‖² / ‖w‖² is recorded per encoding (detail {@code rel:<id>}), for the
 * rate–distortion allocator. Raw value and score: the relative error of the cheapest 4-bit candidate
 * (score = its square root ×10, clipped), so the metric can also sit in a composite.
 */
public final class EncodingErrorMetric implements SensitivityMetric {
    /** The detail key of an encoding's relative squared error. */
    public static final String PREFIX = "rel:";

    @Override
    public String id() {
        return "qerror";
    }

    @Override
    public String description() {
        return "relative squared error of every encoding the target format offers, with its real quantizer (rd allocator input)";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(ParameterSpec.ofInt("sample_elements", 1 << 17,
                "weights sampled per tensor (whole rows, seeded); tensors this small are measured whole").withRange(1, 1 << 30));
    }

    @Override
    public MetricResult measure(FloatMatrix w, MetricContext ctx) {
        return measureRows(w, ctx);
    }

    /** Reads only the sampled rows. */
    @Override
    public boolean readsRows() {
        return true;
    }

    /** The sampled rows and one row's round trip. */
    @Override
    public long workingBytes(int rows, int cols, Parameters p) {
        long sampled = Math.max(cols, Math.min((long) rows * cols, p.getInt("sample_elements") + (long) cols));
        return 4L * sampled + 8L * cols;
    }

    @Override
    public MetricResult measureRows(MatrixRows w, MetricContext ctx) {
        int sample = ctx.parameters().getInt("sample_elements");
        if (sample < 1) throw new IllegalArgumentException("sample_elements must be at least 1, got " + sample);
        int[] picked = sampleRows(w.rows(), w.cols(), sample, ctx.random("rows"));
        int cols = w.cols();
        // the sampled rows, read into a compact copy: row i of it is row picked[i] of the weight
        float[] data = new float[picked.length * cols];
        for (int i = 0; i < picked.length; i++) w.readFloats((long) picked[i] * cols, data, i * cols, cols);
        int rows = picked.length;
        Map<String, Double> details = new LinkedHashMap<>();
        double fourBit = Double.NaN;
        float[] row = new float[cols];
        float[] back = new float[cols];
        for (Encoding e : ctx.encodings()) {
            if (e.isFloat()) continue;
            Optional<Quantizer> q = ctx.quantizer(e.quantizer());
            if (q.isEmpty() || cols % q.get().blockSize() != 0) continue;
            // a costly encoding (the format says how costly) on every cost-th sampled row
            int stride = Math.max(1, Math.min(q.get().cost(), rows));
            double err = 0;
            double energy = 0;
            for (int r = 0; r < rows; r += stride) {
                System.arraycopy(data, r * cols, row, 0, cols);
                for (int c = 0; c < cols; c++) energy += (double) row[c] * row[c];
                q.get().roundTrip(row, back);
                for (int c = 0; c < cols; c++) {
                    double d = (double) back[c] - row[c];
                    err += d * d;
                }
            }
            double rel = energy > 0 ? err / energy : 0;
            details.put(PREFIX + e.id(), rel);
            if (e.bits() == 4 && Double.isNaN(fourBit)) fourBit = rel;
        }
        double raw = Double.isNaN(fourBit) ? 0 : fourBit;
        return new MetricResult(raw, MetricResult.clip01(Math.sqrt(raw) * 10), details);
    }

    /** Every row when the tensor is small, else a sorted seeded sample of whole rows holding about {@code sample} weights. */
    static int[] sampleRows(int rows, int cols, int sample, SeededRandom random) {
        int want = (int) Math.max(1, Math.min(rows, (long) sample / Math.max(1, cols)));
        if (want >= rows) {
            int[] all = new int[rows];
            for (int i = 0; i < rows; i++) all[i] = i;
            return all;
        }
        int[] idx = new int[rows];
        for (int i = 0; i < rows; i++) idx[i] = i;
        for (int i = 0; i < want; i++) { // partial Fisher-Yates
            int j = i + (int) Math.floorMod(random.nextLong(), (long) (rows - i));
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] out = Arrays.copyOf(idx, want);
        Arrays.sort(out);
        return out;
    }
}
