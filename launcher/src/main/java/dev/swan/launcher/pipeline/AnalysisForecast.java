package dev.swan.launcher.pipeline;

import dev.swan.api.AnalysisShape;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorSizer;
import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.ui.Format;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code swan analyze --dry-run} predicts without reading a weight: the tensors to measure grouped by
 * analysed shape (an expert stack by its sampled experts, a per-expert slice by itself), the time on this
 * machine, and output sizes. The time is measured, not guessed: the metrics run once on a random stand-in
 * of every distinct shape (at most {@link #SAMPLE_ELEMENTS} elements, the cost scaled by element count,
 * as every metric's cost is linear in rows), then summed over the tensors of that shape.
 */
public final class AnalysisForecast {
    /** Largest stand-in timed per shape (16 MiB of floats); bigger shapes are timed on fewer rows. */
    static final long SAMPLE_ELEMENTS = 4L << 20;

    /** Tensors of one analysed shape and the seconds one of them takes. */
    public record ShapeClass(int rows, int cols, int tensors, double secondsEach, String example) {
    }

    private final List<ShapeClass> classes;
    private final int threads;
    private final long parameters;
    private final long activeParameters;
    private final int skipped;
    private final int expertSlices;
    private final int stackCount;

    private AnalysisForecast(List<ShapeClass> classes, int threads, long parameters, long activeParameters, int skipped,
                             int expertSlices, int stackCount) {
        this.stackCount = stackCount;
        this.classes = List.copyOf(classes);
        this.threads = threads;
        this.parameters = parameters;
        this.activeParameters = activeParameters;
        this.skipped = skipped;
        this.expertSlices = expertSlices;
    }

    /** Times the metrics of {@code engine} on a stand-in of each distinct shape of {@code model}. */
    public static AnalysisForecast of(ModelDir model, AnalysisEngine engine, int threads) {
        Map<String, int[]> counts = new LinkedHashMap<>(); // "rows x cols" -> {rows, cols, tensors}
        Map<String, TensorInfo> example = new LinkedHashMap<>();
        int skipped = 0;
        int slices = 0;
        long params = 0;
        long expertParams = 0;
        Map<String, List<TensorInfo>> stacks = AnalysisEngine.expertStacks(model.tensors());
        java.util.Set<String> seenStacks = new java.util.HashSet<>();
        for (TensorInfo t : model.tensors()) {
            params += t.numel();
            java.util.Optional<ExpertWeight> x = ExpertWeight.parse(t.name());
            if (x.isPresent()) {
                expertParams += t.numel();
                if (!x.get().isStack()) slices++;
                // the slices of a stack are measured together, once
                if (!x.get().isStack() && stacks.containsKey(x.get().stackName()) && !seenStacks.add(x.get().stackName())) continue;
            }
            AnalysisShape s = AnalysisEngine.measuredShape(t, stacks);
            if (!s.analysed()) {
                skipped++;
                continue;
            }
            String key = s.rows() + "x" + s.cols();
            counts.computeIfAbsent(key, k -> new int[] {s.rows(), s.cols(), 0})[2]++;
            example.putIfAbsent(key, t);
        }
        long active = model.config().perToken(params, expertParams);
        java.util.ArrayList<ShapeClass> classes = new java.util.ArrayList<>();
        boolean warm = false;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int rows = e.getValue()[0];
            int cols = e.getValue()[1];
            int sampleRows = (int) Math.max(1, Math.min(rows, SAMPLE_ELEMENTS / cols));
            TensorInfo t = example.get(e.getKey());
            String key = ExpertWeight.parse(t.name()).filter(x -> !x.isStack()).map(ExpertWeight::stackName).orElse(t.name());
            FloatMatrix w = standIn(sampleRows, cols, key);
            if (!warm) { // the first run pays for class loading and compilation
                engine.measure(model, t, model.classOf(t), standIn(Math.min(sampleRows, 256), cols, key));
                warm = true;
            }
            long t0 = System.nanoTime();
            engine.measure(model, t, model.classOf(t), w);
            double seconds = (System.nanoTime() - t0) / 1e9 * rows / sampleRows;
            classes.add(new ShapeClass(rows, cols, e.getValue()[2], seconds, key));
        }
        return new AnalysisForecast(classes, threads, params, active, skipped, slices, stacks.size());
    }

    /** Gaussian weights of the shape (metrics take time by shape, and zeros would short-cut some). */
    private static FloatMatrix standIn(int rows, int cols, String name) {
        SeededRandom r = new SeededRandom(SeededRandom.seedFor(0, name, "forecast"));
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian() * 0.02f;
        return new FloatMatrix(v, rows, cols);
    }

    public List<ShapeClass> classes() {
        return classes;
    }

    /** Wall-clock seconds on this machine: tensors one after another, each with all the threads. */
    public double seconds() {
        double s = 0;
        for (ShapeClass c : classes) s += c.tensors() * c.secondsEach();
        return s;
    }

    public void print(PrintStream out, ModelDir model, Map<String, TensorSizer> sizers) {
        int measured = 0;
        for (ShapeClass c : classes) measured += c.tensors();
        out.printf(Locale.ROOT, "Dry run: nothing measured or written. %s: %,d tensors (%,d measurements, %,d norms, vectors "
                + "and tiny ones skipped); %,d parameters", model.name(), model.tensors().size(), measured, skipped, parameters);
        if (activeParameters != parameters) out.printf(Locale.ROOT, ", %,d active per token", activeParameters);
        out.println();
        if (expertSlices > 0) {
            out.printf(Locale.ROOT, "  mixture of experts: %,d per-expert slices in %,d stacks (layer x projection), each stack "
                    + "measured once on 4 evenly spaced experts and given one decision%n", expertSlices, stackCount);
        }
        out.println("  SHAPE              MEASURED  SECONDS EACH   TOTAL   (timed here on a random stand-in)");
        for (ShapeClass c : classes) {
            out.printf(Locale.ROOT, "  %-18s %7d %14.3f %7s   e.g. %s%n", c.rows() + " x " + c.cols(), c.tensors(),
                    c.secondsEach(), duration(c.tensors() * c.secondsEach()), c.example());
        }
        out.printf(Locale.ROOT, "Forecast: analysis takes about %s with %d thread%s here (%s with 32 threads if it scales "
                + "linearly)%n", duration(seconds()), threads, threads == 1 ? "" : "s", duration(seconds() * threads / 32.0));
        for (Map.Entry<String, TensorSizer> e : sizers.entrySet()) {
            long b4 = bytes(model, e.getValue(), 4);
            long b8 = bytes(model, e.getValue(), 8);
            out.printf(Locale.ROOT, "  %s output: %s at 4 bits, %s at 8 bits (every quantizable weight at that width)%n",
                    e.getKey(), Format.bytes(b4), Format.bytes(b8));
        }
    }

    private static long bytes(ModelDir model, TensorSizer sizer, int bits) {
        long n = sizer.fixedBytes();
        for (TensorInfo t : model.tensors()) {
            TensorAnalysis a = new TensorAnalysis(t.name(), t.dtype(), t.shape(), model.classOf(t), null, Map.of());
            n += sizer.bytes(a, t.shape().length >= 2 ? bits : 16, 64);
        }
        return n;
    }

    static String duration(double seconds) {
        if (seconds < 90) return String.format(Locale.ROOT, "%.0f s", seconds);
        if (seconds < 5400) return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
