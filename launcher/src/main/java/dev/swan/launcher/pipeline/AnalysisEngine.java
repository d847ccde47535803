package dev.swan.launcher.pipeline;

import dev.swan.toolkit.TensorMetricContext;
import dev.swan.api.AnalysisShape;
import dev.swan.api.MetricResult;
import dev.swan.api.OutputFormat;
import dev.swan.api.PluginException;
import dev.swan.api.ProgressSink;
import dev.swan.api.Quantizer;

import dev.swan.api.SwanException;
import dev.swan.api.TensorAnalysis;
import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.ui.Format;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the metrics on every tensor of a model: tensors in parallel (up to {@code threads} at a time,
 * fewer when their float copies would exceed the memory budget), each tensor's kernels on a shared
 * fork-join pool of the same size. Each tensor's analysis is a pure function of the tensor, the metric
 * parameters and the seed, so results do not depend on scheduling; they are reported in model order.
 */
public final class AnalysisEngine implements TensorAnalyzer {
    private final List<ResolvedPipeline.ResolvedMetric> metrics;
    private final List<OutputFormat> formats;
    private final long seed;
    private final int threads;
    private final long memoryBudget;
    /** Every metric reads by rows (see {@link #streams(List)}). */
    private final boolean streams;
    private final ForkJoinPool pool;
    private final java.util.function.Function<TensorAnalysis, List<dev.swan.api.Encoding>> encodings;

    /** What the engine produced for one tensor: the analysis and seconds per metric. */
    public record Measured(TensorAnalysis analysis, Map<String, Double> seconds) {
        /** One line of JSON, as the journal records it (how results travel between processes). */
        public String toJson() {
            try {
                return Json.COMPACT.writeValueAsString(new ManifestSchema.JournalEntry(ManifestSchema.Analysis.of(analysis), seconds));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** The result {@link #toJson} wrote; {@code source} names where it came from in errors. */
        public static Measured fromJson(String json, String source) {
            try {
                ManifestSchema.JournalEntry e = Json.MAPPER.readValue(json, ManifestSchema.JournalEntry.class);
                return new Measured(e.analysis().toAnalysis(source), e.seconds() == null ? Map.of() : e.seconds());
            } catch (java.io.IOException e) {
                throw new dev.swan.api.ConfigException(source, 0, 0, "malformed analysis result: " + e.getMessage());
            }
        }
    }

    /**
     * One unit of analysis: a tensor alone, or one layer's per-expert slices of a projection, measured
     * together as their stack.
     *
     * @param key     the tensor's name, or the stack's
     * @param members the tensors it gives results for, in model order
     */
    public record Task(String key, List<TensorInfo> members) {
        public Task {
            members = List.copyOf(members);
        }

        /** True when some member still needs a result. */
        public boolean needed(Map<String, ?> done) {
            for (TensorInfo t : members) if (!done.containsKey(t.name())) return true;
            return false;
        }
    }

    /** The model's tasks in model order (a stack where its first slice is). */
    public static List<Task> tasks(List<TensorInfo> tensors) {
        Map<String, List<TensorInfo>> stacks = expertStacks(tensors);
        Map<String, Task> out = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            String key = taskKey(t);
            if (!out.containsKey(key)) out.put(key, new Task(key, stacks.getOrDefault(key, List.of(t))));
        }
        return List.copyOf(out.values());
    }

    /** Measures one task: a result for each member. */
    public Map<String, Measured> measure(ModelDir model, Task task) {
        List<TensorInfo> members = task.members();
        if (members.size() > 1) return measureStack(model, task.key(), members);
        TensorInfo t = members.get(0);
        return Map.of(t.name(), measure(model, t, AnalysisShape.of(t)));
    }

    /** The elements the metrics read of {@code t} (a row-sampling metric: its sample), at least one. */
    private long workOf(TensorInfo t) {
        AnalysisShape s = AnalysisShape.of(t);
        if (!s.analysed()) return 1;
        long n = (long) s.rows() * s.cols();
        long w = 0;
        for (ResolvedPipeline.ResolvedMetric m : metrics) {
            w += m.metric().readsRows() ? Math.min(n, m.metric().workingBytes(s.rows(), s.cols(), m.parameters()) / 4) : n;
        }
        return Math.max(1, w);
    }

    /** The most memory the task holds, in MiB permits of the budget (0 for a skipped tensor). */
    private int permits(Task task, int mb) {
        List<TensorInfo> members = task.members();
        AnalysisShape shape = members.size() > 1 ? sampleShape(members) : AnalysisShape.of(members.get(0));
        return shape.analysed() ? (int) Math.min(mb, Math.max(1, needBytes(shape) >> 20)) : 0;
    }

    public AnalysisEngine(List<ResolvedPipeline.ResolvedMetric> metrics, List<OutputFormat> formats, long seed,
                          int threads, long memoryBudget) {
        this(metrics, formats, seed, threads, memoryBudget, t -> List.of());
    }

    /** With the target format's candidate encodings per tensor, which metrics see in their context. */
    public AnalysisEngine(List<ResolvedPipeline.ResolvedMetric> metrics, List<OutputFormat> formats, long seed,
                          int threads, long memoryBudget,
                          java.util.function.Function<TensorAnalysis, List<dev.swan.api.Encoding>> encodings) {
        this.encodings = encodings;
        this.metrics = metrics;
        this.formats = formats;
        this.seed = seed;
        this.threads = threads;
        this.memoryBudget = memoryBudget;
        this.streams = streams(metrics);
        this.pool = new ForkJoinPool(threads);
    }

    /** Default budget for tensor copies in flight: 60% of the maximum heap. */
    public static long defaultMemoryBudget() {
        return (long) (Runtime.getRuntime().maxMemory() * 0.6);
    }

    /**
     * Analyses every tensor not in {@code done}; each result goes to {@code sink} as soon as it exists
     * (the journal appends it), and the full list comes back in model order.
     */
    public List<Measured> analyze(ModelDir model, Map<String, Measured> done, java.util.function.Consumer<Measured> sink,
                                  ProgressSink progress) {
        List<TensorInfo> tensors = model.tensors();
        int mb = (int) Math.max(1, memoryBudget >> 20);
        Semaphore memory = new Semaphore(mb, true);
        ExecutorService workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "swan-analyze");
            t.setDaemon(true);
            return t;
        });
        // progress in the elements the metrics read, the work a tensor costs (a tensor count or its bytes would
        // make the ETA wrong: a row-sampling metric costs a large tensor what it costs a mid-sized one)
        long total = 0;
        long already = 0;
        for (TensorInfo t : tensors) {
            long w = workOf(t);
            total += w;
            if (done.containsKey(t.name())) already += w;
        }
        AtomicLong finished = new AtomicLong(already);
        long work = total;
        Map<String, Future<Map<String, Measured>>> tasks = new LinkedHashMap<>();
        try {
            for (Task task : tasks(tensors)) {
                if (!task.needed(done)) continue;
                List<TensorInfo> members = task.members();
                tasks.put(task.key(), workers.submit(() -> {
                    int permits = permits(task, mb);
                    memory.acquire(permits);
                    try {
                        Map<String, Measured> results = measure(model, task);
                        for (TensorInfo m : members) {
                            if (done.containsKey(m.name())) continue;
                            sink.accept(results.get(m.name()));
                            progress.update(finished.addAndGet(workOf(m)), work, m.name());
                        }
                        return results;
                    } finally {
                        memory.release(permits);
                    }
                }));
            }
            List<Measured> out = new ArrayList<>();
            for (TensorInfo t : tensors) {
                Measured d = done.get(t.name());
                out.add(d != null ? d : get(tasks.get(taskKey(t))).get(t.name()));
            }
            return out;
        } finally {
            workers.shutdownNow();
        }
    }

    /** A per-expert slice is measured with its stack; anything else alone. */
    private static String taskKey(TensorInfo t) {
        return ExpertWeight.parse(t.name()).filter(x -> !x.isStack()).map(ExpertWeight::stackName).orElse(t.name());
    }

    /** Per-expert slices by the stack they belong to, in expert order (stacks of one slice left out). */
    static Map<String, List<TensorInfo>> expertStacks(List<TensorInfo> tensors) {
        Map<String, List<TensorInfo>> out = new LinkedHashMap<>(ExpertWeight.slicesByStack(tensors, TensorInfo::name));
        out.values().removeIf(v -> v.size() < 2);
        return out;
    }

    /** The stack a runtime stores these slices as: [E, out, in], measured as a 3-D stack is (4 sampled experts). */
    private static AnalysisShape sampleShape(List<TensorInfo> members) {
        return AnalysisShape.of(stackInfo(members.get(0), members.size(), null));
    }

    private static TensorInfo stackInfo(TensorInfo first, int experts, String name) {
        long[] s = first.shape();
        return new TensorInfo(name == null ? first.name() : name, first.dtype(), new long[] {experts, s[0], s[1]}, first.file(),
                0, first.byteSize() * experts);
    }

    /**
     * One layer's experts of one projection, measured once as the stack runtimes store (the SWAN method's
     * rule for 3-D expert tensors: experts linspace(0, E-1, 4), all when E ≤ 4, their rows stacked); every
     * slice gets that analysis, so the stack gets one decision. Seeds follow the stack's name.
     */
    private Map<String, Measured> measureStack(ModelDir model, String stackName, List<TensorInfo> members) {
        TensorInfo stack = stackInfo(members.get(0), members.size(), stackName);
        AnalysisShape shape = AnalysisShape.of(stack);
        Map<String, Measured> out = new LinkedHashMap<>();
        Measured m;
        if (!shape.analysed() || metrics.isEmpty()) {
            m = new Measured(new TensorAnalysis(stackName, stack.dtype(), stack.shape(), model.classOf(members.get(0)),
                    shape.analysed() ? "not_measured" : shape.skipReason(), Map.of()), Map.of());
        } else {
            List<dev.swan.api.tensor.TensorData> parts = new ArrayList<>();
            for (TensorInfo t : members) parts.add(model.stream(t));
            // the sampled experts only
            MatrixRows w = weight(new dev.swan.toolkit.tensor.StackedTensorData(stackName, parts), shape);
            m = measure(model, stack, model.classOf(members.get(0)), w);
        }
        for (int i = 0; i < members.size(); i++) {
            TensorInfo t = members.get(i);
            TensorAnalysis x = m.analysis();
            out.put(t.name(), new Measured(new TensorAnalysis(t.name(), t.dtype(), t.shape(), model.classOf(t), x.skipReason(),
                    x.metrics()), i == 0 ? m.seconds() : Map.of()));
        }
        return out;
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new IllegalStateException(c);
        }
    }

    /**
     * Refuses, before any work, a model whose largest measured tensor cannot fit in this JVM's heap (its
     * float copy and what the metrics need beside it), naming the tensor and a heap size that will do.
     */
    public static void checkHeap(ModelDir model, long maxHeap, List<ResolvedPipeline.ResolvedMetric> metrics) {
        long worst = 0;
        String name = null;
        Map<String, List<TensorInfo>> stacks = expertStacks(model.tensors());
        boolean streams = streams(metrics);
        for (TensorInfo t : model.tensors()) {
            AnalysisShape shape = measuredShape(t, stacks);
            long need = shape.analysed() ? needBytes(shape, metrics, !streams) : 0;
            if (need > worst) {
                worst = need;
                name = t.name();
            }
        }
        // the JVM itself, the other worker and the garbage collector's slack need room beside the tensor
        if (worst > maxHeap * 0.85) {
            long gib = Math.max(1, (long) Math.ceil((worst / 0.6 + (256L << 20)) / (double) (1L << 30)));
            throw new HeapTooSmallException(name + " needs about " + Format.bytes(worst) + " of Java heap to measure "
                    + (streams ? "(the metrics' blocks and sketches)" : "(its float copy and the metrics' working memory)") + ", more than this JVM may use (" + Format.bytes(maxHeap)
                    + "): raise the heap, e.g. SWAN_JAVA_OPTS=-Xmx" + gib + "g");
        }
    }

    /**
     * The float copy (when the tensor is held whole) plus the most working memory any metric asks for
     * beside it (they run one after another).
     */
    private static long needBytes(AnalysisShape s, List<ResolvedPipeline.ResolvedMetric> metrics, boolean whole) {
        long copy = whole ? 4L * s.rows() * s.cols() : 0;
        long working = 0;
        for (ResolvedPipeline.ResolvedMetric m : metrics) {
            working = Math.max(working, m.metric().workingBytes(s.rows(), s.cols(), m.parameters()));
        }
        return copy + working;
    }

    /** What measuring this tensor will hold, as {@link #weight} will read it. */
    private long needBytes(AnalysisShape s) {
        return needBytes(s, metrics, holdsWhole(s));
    }

    /** True when every metric reads by rows, so no tensor needs its whole float copy. */
    private static boolean streams(List<ResolvedPipeline.ResolvedMetric> metrics) {
        for (ResolvedPipeline.ResolvedMetric m : metrics) if (!m.metric().readsRows()) return false;
        return true;
    }

    /**
     * Whether a tensor is read once into a float copy rather than block by block from the file: always
     * for metrics that cannot stream; otherwise when the copy and the metrics' memory fit in one worker's
     * share of the budget (one read instead of one per pass; the values, and so the results, are the same).
     */
    private boolean holdsWhole(AnalysisShape s) {
        return !streams || needBytes(s, metrics, true) <= memoryBudget / Math.max(1, threads);
    }

    /** The analysed matrix of {@code data}: a float copy or rows read on demand (see {@link #holdsWhole}). */
    private MatrixRows weight(dev.swan.api.tensor.TensorData data, AnalysisShape shape) {
        return holdsWhole(shape) ? shape.load(data) : new dev.swan.toolkit.tensor.TensorRows(data, shape);
    }

    /**
     * The most one worker holds while measuring any tensor of {@code model} block by block: what the
     * heap must be sized from when no tensor is copied whole (every metric reads by rows).
     */
    public static long streamedWorkingSet(ModelDir model, List<ResolvedPipeline.ResolvedMetric> metrics) {
        Map<String, List<TensorInfo>> stacks = expertStacks(model.tensors());
        boolean whole = !streams(metrics);
        long worst = 0;
        for (TensorInfo t : model.tensors()) {
            AnalysisShape shape = measuredShape(t, stacks);
            if (shape.analysed()) worst = Math.max(worst, needBytes(shape, metrics, whole));
        }
        return worst;
    }

    /** The float copy and sketches a stack's sample needs, for sizing the heap. */
    static AnalysisShape measuredShape(TensorInfo t, Map<String, List<TensorInfo>> stacks) {
        List<TensorInfo> members = stacks.get(taskKey(t));
        return members == null ? AnalysisShape.of(t) : sampleShape(members);
    }

    /** Analyses one tensor: the pure function at the heart of swan. */
    public Measured measure(ModelDir model, TensorInfo t, AnalysisShape shape) {
        TensorClass cls = model.classOf(t);
        if (!shape.analysed() || metrics.isEmpty()) {
            return new Measured(new TensorAnalysis(t.name(), t.dtype(), t.shape(), cls,
                    shape.analysed() ? "not_measured" : shape.skipReason(), Map.of()), Map.of());
        }
        return measure(model, t, cls, weight(model.stream(t), shape));
    }

    /**
     * Runs every metric on {@code w}, the analysed matrix of {@code t} (also a stand-in of its shape, when
     * forecasting how long the analysis takes).
     */
    public Measured measure(ModelDir model, TensorInfo t, TensorClass cls, MatrixRows w) {
        Parallel par = Parallel.of(pool);
        Map<String, MetricResult> results = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<dev.swan.api.Encoding> candidates = encodings.apply(new TensorAnalysis(t.name(), t.dtype(), t.shape(), cls,
                null, Map.of()));
        TensorMetricContext base = new TensorMetricContext(t.name(), cls, null, seed, par, w, this::quantizer,
                candidates);
        if (base.stats().nonFinite() > 0) {
            // metrics are arithmetic on the weights: NaN or infinity makes them meaningless (or never converge)
            long i = firstNonFinite(w);
            float v = readOne(w, i);
            throw new dev.swan.api.ModelFormatException(model.path(), t.name(), (Float.isNaN(v) ? "NaN" : "infinite")
                    + " weight at row " + i / Math.max(1, w.cols()) + ": a checkpoint to fix, not one to quantize");
        }
        for (ResolvedPipeline.ResolvedMetric m : metrics) {
            long t0 = System.nanoTime();
            try {
                results.put(m.id(), m.metric().measureRows(w, base.withParameters(m.parameters())));
            } catch (SwanException e) {
                throw e;
            } catch (RuntimeException | StackOverflowError e) {
                throw new PluginException(m.id(), t.name(), e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " (no output was written)", e);
            }
            seconds.put(m.id(), (System.nanoTime() - t0) / 1e9);
        }
        return new Measured(new TensorAnalysis(t.name(), t.dtype(), t.shape(), cls, null, results), seconds);
    }

    /** Index of the first NaN or infinite element (the statistics pass found one). */
    private static long firstNonFinite(MatrixRows w) {
        float[] buf = new float[1 << 16];
        for (long first = 0; first < w.size(); first += buf.length) {
            int n = (int) Math.min(buf.length, w.size() - first);
            w.readFloats(first, buf, 0, n);
            for (int i = 0; i < n; i++) if (!Float.isFinite(buf[i])) return first + i;
        }
        return 0;
    }

    private static float readOne(MatrixRows w, long i) {
        float[] one = new float[1];
        w.readFloats(i, one, 0, 1);
        return one[0];
    }

    private Optional<Quantizer> quantizer(String spec) {
        for (OutputFormat f : formats) {
            Optional<Quantizer> q = f.quantizer(spec);
            if (q.isPresent()) return q;
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
