package dev.swan.launcher.cli;

import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.BitAllocator;
import dev.swan.api.AnalysisShape;
import dev.swan.api.FormatContext;
import dev.swan.api.OutputFormat;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.model.ModelDir;
import dev.swan.toolkit.numeric.Kernels;
import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.pipeline.AnalysisEngine;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code swan bench}: throughput on this machine, for the figures the project reports (never timed unit
 * tests). Each phase prints its own table; best of several repetitions after a warm-up.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure this machine: the product kernel (GFLOP/s, Vector API and plain Java), the four "
                + "metrics on one 4096x12288 BF16 tensor, a Qwen3-8B layer, and quantize+write throughput "
                + "(MLX uniform 4-bit, GGUF Q4_K and Q8_0) on a synthetic BF16 model, with peak RSS."})
public final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "PHASE",
            description = "Phases to run: kernels, metrics, layer, write, eval (default: these five), and scale: "
                    + "bin/swan quantize of a 16.4 GB Qwen3-8B-shaped model to GGUF and MLX and a dry run of a 64 GB one, "
                    + "time and peak RSS (writes the 16.4 GB model first unless --model gives it; about half an hour on 2 cores); "
                    + "quality: the README's quality-per-byte tables on the shared models (--shared); lowbit: the "
                    + "table down to 2 bits (llama-quantize's i-quant recipes with and without --imatrix, MLX 3/2-bit, "
                    + "mxfp4, nvfp4) on the shared 256-aligned model.")
    List<String> only = List.of("kernels", "metrics", "layer", "write", "eval");

    @Option(names = "--eval-layers", defaultValue = "2",
            description = "Decoder layers of the Qwen3-8B-shaped model for 'eval' (default: ${DEFAULT-VALUE}); the 36-layer figure is projected.")
    int evalLayers;

    @Option(names = "--model-gb", defaultValue = "2", description = "Size of the synthetic model for 'write' (default: ${DEFAULT-VALUE} GB).")
    double modelGb;

    @Option(names = "--model", paramLabel = "DIR",
            description = "For 'scale': a Qwen3-8B-shaped model already on disk (kept), instead of writing one.")
    Path scaleModel;

    @Option(names = "--shared", paramLabel = "DIR",
            description = "For 'quality': the folder holding the shared models/ and eval/.")
    Path shared;

    @Option(names = "--imatrix", paramLabel = "FILE",
            description = "For 'lowbit': llama-imatrix's matrix for the shared model, for the recipes' rows with data.")
    Path imatrix;

    @Option(names = "--dir", defaultValue = "swan-bench", description = "Scratch folder (default: ${DEFAULT-VALUE}); deleted afterwards.")
    Path dir;

    @Option(names = {"-t", "--threads"}, description = "Threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        out.println("Machine: " + cpu() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Format.bytes(Runtime.getRuntime().maxMemory()) + " max heap, Java " + System.getProperty("java.version")
                + ", kernels " + MatMul.implementation() + ", threads " + t);
        ForkJoinPool pool = new ForkJoinPool(t);
        Files.createDirectories(dir);
        try (PluginRegistry plugins = root.plugins()) {
            if (only.contains("kernels")) kernels(out, Parallel.of(pool));
            if (only.contains("metrics")) {
                tensors(out, plugins, t, "4096x12288 BF16", new String[] {"mlp.down_proj"}, new long[][] {{4096, 12288}});
            }
            if (only.contains("layer")) {
                tensors(out, plugins, t, "Qwen3-8B layer (q, k, v, o, gate, up, down)",
                        new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"},
                        new long[][] {{4096, 4096}, {1024, 4096}, {1024, 4096}, {4096, 4096}, {12288, 4096}, {12288, 4096},
                                {4096, 12288}});
            }
            if (only.contains("write")) write(out, plugins, Parallel.of(pool));
            if (only.contains("eval")) eval(out, plugins, Parallel.of(pool));
            if (only.contains("scale")) ScaleBench.run(out, dir, scaleModel, t);
            if (only.contains("quality")) {
                if (shared == null || !Files.isDirectory(shared.resolve("models"))) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--only quality needs --shared DIR: the folder holding the shared models/ and eval/");
                }
                QualityBench.run(out, shared, dir, t);
            }
            if (only.contains("lowbit")) {
                if (shared == null || !Files.isDirectory(shared.resolve("models"))) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--only lowbit needs --shared DIR: the folder holding the shared models/ and eval/");
                }
                LowBitBench.run(out, shared, imatrix, dir, t);
            }
        } finally {
            pool.shutdownNow();
            AtomicOutput.deleteRecursively(dir);
        }
        return 0;
    }

    private void kernels(PrintStream out, Parallel par) {
        int m = 4096;
        int n = 12288;
        int q = 256;
        float[] a = random(m * n, 1);
        float[] x = random(n * q, 2);
        float[] xt = random(m * q, 3);
        float[] c = new float[m * q];
        float[] ct = new float[n * q];
        Table tab = new Table("KERNEL", "SHAPE", "GFLOP/S (best)>", "SECONDS>");
        List<Kernels> impls = new ArrayList<>();
        if (MatMul.vectorOrNull() != null) impls.add(MatMul.vectorOrNull());
        impls.add(MatMul.scalar());
        for (Kernels k : impls) {
            double flops = 2.0 * m * n * q;
            int reps = k.name().equals("scalar") ? 2 : 5;
            double best = Double.MAX_VALUE;
            double bestT = Double.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                k.multiply(a, m, n, x, q, c, par);
                long t1 = System.nanoTime();
                k.multiplyTransposed(a, m, n, xt, q, ct, par);
                long t2 = System.nanoTime();
                best = Math.min(best, (t1 - t0) / 1e9);
                bestT = Math.min(bestT, (t2 - t1) / 1e9);
            }
            tab.row(k.name() + " W·X", m + "x" + n + " · " + n + "x" + q, Format.fixed(flops / best / 1e9, 1), Format.fixed(best, 3));
            tab.row(k.name() + " Wᵀ·X", n + "x" + m + " · " + m + "x" + q, Format.fixed(flops / bestT / 1e9, 1), Format.fixed(bestT, 3));
        }
        out.println();
        tab.print(out);
    }

    /**
     * Writes the shapes as BF16 tensors of a model directory, then times the metrics on each: the paper's
     * four, and the rd allocator's qerror with the candidate encodings of each installed format.
     */
    private void tensors(PrintStream out, PluginRegistry plugins, int threads, String title, String[] modules, long[][] shapes)
            throws IOException {
        Path model = dir.resolve("tensors-" + shapes.length);
        writeTensors(model, modules, shapes);
        ResolvedPipeline rp = ResolvedPipeline.resolve(PipelineSettings.defaults().withThreads(threads), plugins, true, false);
        List<OutputFormat> formats = new ArrayList<>();
        for (var f : plugins.formats()) formats.add(f.plugin());
        try (ModelDir md = ModelFolder.open(model)) {
            Map<String, Double> perMetric = new LinkedHashMap<>();
            double best;
            try (AnalysisEngine engine = new AnalysisEngine(rp.metrics(), formats, 42, threads, AnalysisEngine.defaultMemoryBudget())) {
                best = time(engine, md, perMetric);
            }
            out.println();
            Table tab = new Table("METRICS ON " + title, "SECONDS (best of 3)>");
            perMetric.forEach((k, v) -> tab.row(k, Format.fixed(v, 3)));
            tab.row("total, with loading and statistics", Format.fixed(best, 3));
            if (plugins.hasMetric("qerror")) {
                var q = plugins.metric("qerror");
                var withQ = new ArrayList<>(rp.metrics());
                withQ.add(new ResolvedPipeline.ResolvedMetric(q, Parameters.resolve(q.id(), q.parameters(), Map.of(), "bench"), 0));
                for (OutputFormat f : formats) {
                    Parameters fp = Parameters.resolve(f.id(), f.parameters(), Map.of(), "bench");
                    Map<String, Double> secs = new LinkedHashMap<>();
                    int[] candidates = new int[1];
                    try (AnalysisEngine engine = new AnalysisEngine(withQ, formats, 42, threads, AnalysisEngine.defaultMemoryBudget(),
                            t -> {
                                var e = f.encodings(t, md.config(), fp);
                                candidates[0] = Math.max(candidates[0], (int) e.stream().filter(x -> !x.isFloat()).count());
                                return e;
                            })) {
                        double total = time(engine, md, secs);
                        tab.row("qerror with " + f.id() + "'s " + candidates[0] + " encodings", Format.fixed(secs.getOrDefault("qerror", 0.0), 3));
                        tab.row("total with qerror (" + f.id() + "): " + Format.fixed(total / best, 2) + "x", Format.fixed(total, 3));
                    }
                }
            }
            tab.print(out);
        }
    }

    /** Best of three passes over every tensor; the per-metric seconds of the best pass go into {@code perMetric}. */
    private static double time(AnalysisEngine engine, ModelDir md, Map<String, Double> perMetric) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            Map<String, Double> secs = new LinkedHashMap<>();
            for (TensorInfo t : md.tensors()) {
                engine.measure(md, t, AnalysisShape.of(t)).seconds().forEach((k, v) -> secs.merge(k, v, Double::sum));
            }
            double total = (System.nanoTime() - t0) / 1e9;
            if (total < best) {
                best = total;
                perMetric.clear();
                perMetric.putAll(secs);
            }
        }
        return best;
    }

    private static void writeTensors(Path model, String[] modules, long[][] shapes) throws IOException {
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"Bench\"], \"model_type\": \"bench\"}");
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            entries.add(new SafetensorsWriter.Entry("model.layers.0." + modules[i] + ".weight", DType.BF16, shapes[i]));
        }
        try (SafetensorsWriter w = SafetensorsWriter.create(model.resolve("model.safetensors"), Map.of(), entries)) {
            for (SafetensorsWriter.Entry e : entries) {
                w.beginTensor(e.name());
                SeededRandom r = new SeededRandom(e.name().hashCode());
                long n = e.byteSize() / 2;
                ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i++) {
                    // normal-ish weights with a few outliers, as real checkpoints have
                    float v = (r.nextFloat() + r.nextFloat() + r.nextFloat() - 1.5f) * 0.04f;
                    if ((i & 0xfff) == 0) v *= 20;
                    b.putShort(HalfFloats.f32ToBf16(v));
                    if (!b.hasRemaining()) {
                        w.write(b.flip());
                        b.clear();
                    }
                }
                w.write(b.flip());
            }
        }
    }

    private void write(PrintStream out, PluginRegistry plugins, Parallel par) throws Exception {
        int layers = Math.max(1, (int) Math.round(modelGb * 1e9 / 2 / 44.6e6 - 3));
        SyntheticModel.Spec spec = SyntheticModel.llama().withSize(2048, 5632, layers, 32, 8, 64, 32000)
                .withDtype(DType.BF16).withTied(false, false);
        Path model = dir.resolve("synthetic");
        out.println();
        out.println("Writing a synthetic " + layers + "-layer BF16 model (" + Format.count(spec.parameterCount())
                + " parameters) for the write benchmark...");
        SyntheticModel.write(spec, model);
        Table tab = new Table("QUANTIZE + WRITE (best of 2)", "SECONDS>", "SOURCE GB/S>", "PEAK RSS ABOVE BASELINE>");
        try (ModelDir md = ModelFolder.open(model)) {
            double sourceGb = md.totalBytes() / 1e9;
            List<TensorAnalysis> analyses = new ArrayList<>();
            for (TensorInfo t : md.tensors()) {
                analyses.add(new TensorAnalysis(t.name(), t.dtype(), t.shape(), md.classOf(t), "not_measured", Map.of()));
            }
            String[][] runs = {{"mlx", "", "uniform 4-bit g64"}, {"gguf", "Q4_K", "Q4_K"}, {"gguf", "Q8_0", "Q8_0"}};
            for (String[] run : runs) {
                OutputFormat f = plugins.format(run[0]);
                Map<String, Object> fo = run[1].isEmpty() ? Map.of() : f.baseline(run[1], false).orElseThrow();
                Parameters fp = Parameters.resolve(f.id(), f.parameters(), fo, "bench");
                AllocationPlan plan = uniformPlan(plugins, analyses, run[1].isEmpty() ? "4" : BitAllocator.EVERY_MATRIX,
                        f.sizer(md.config(), fp));
                Path target = dir.resolve("out-" + run[2].replace(' ', '-') + (f.writesDirectory() ? "" : ".gguf"));
                double secs = Double.MAX_VALUE;
                long above = -1;
                for (int rep = 0; rep < 2; rep++) { // best of two: the first also pays for page-cache writeback
                    AtomicOutput.deleteRecursively(target);
                    System.gc();
                    long base = rssKb("VmRSS");
                    resetPeakRss();
                    long t0 = System.nanoTime();
                    f.write(md, plan, target, new FormatContext(fp, par, ProgressSink.NONE, "swan bench"));
                    secs = Math.min(secs, (System.nanoTime() - t0) / 1e9);
                    long peak = rssKb("VmHWM");
                    if (peak > 0 && base > 0) above = Math.max(above, Math.max(0, peak - base));
                }
                tab.row(run[0] + " " + run[2], Format.fixed(secs, 2), Format.fixed(sourceGb / secs, 2),
                        above >= 0 ? Format.bytes(above * 1024) : "n/a");
                AtomicOutput.deleteRecursively(target);
            }
            out.println("Source: " + Format.bytes(md.totalBytes()) + " of BF16 weights");
        }
        tab.print(out);
    }

    /** The uniform allocator's plan for its baseline {@code name} (a bit width, or every matrix quantized). */
    private static AllocationPlan uniformPlan(PluginRegistry plugins, List<TensorAnalysis> analyses, String name,
                                              dev.swan.api.TensorSizer sizer) {
        BitAllocator uniform = plugins.allocator("uniform");
        return uniform.allocate(new AllocationRequest(analyses, Map.of(), AllocationPolicy.defaults(),
                Parameters.resolve("uniform", uniform.parameters(), uniform.baseline(name).orElseThrow(), "bench"), sizer),
                ProgressSink.NONE);
    }

    /**
     * Prompt processing as {@code swan eval} runs it: one 512-token chunk through a Qwen3-8B-shaped model
     * (hidden 4096, MLP 12288, 32 heads of 128, 8 KV heads, vocabulary 151,936; {@code --eval-layers}
     * decoder layers, tied head) stored as BF16 and as GGUF Q8_0 and Q4_K, logits for the scored half.
     * GFLOP/s counts the products done (projections, attention scores and mixing, head); the 36-layer
     * rate is projected from it.
     */
    private void eval(PrintStream out, PluginRegistry plugins, Parallel par) throws Exception {
        int hidden = 4096, inter = 12288, heads = 32, kv = 8, hd = 128, vocab = 151936, ctx = 512;
        SyntheticModel.Spec spec = SyntheticModel.qwen3().withSize(hidden, inter, evalLayers, heads, kv, hd, vocab)
                .withDtype(DType.BF16).withTied(true, false);
        Path model = dir.resolve("qwen3-8b-shaped");
        out.println();
        out.println("Writing a " + evalLayers + "-layer Qwen3-8B-shaped BF16 model (" + Format.count(spec.parameterCount())
                + " parameters) for the eval benchmark...");
        SyntheticModel.write(spec, model);
        Map<String, Path> stored = new LinkedHashMap<>();
        stored.put("BF16", model);
        try (ModelDir md = ModelFolder.open(model)) {
            OutputFormat gguf = plugins.format("gguf");
            List<TensorAnalysis> analyses = new ArrayList<>();
            for (TensorInfo t : md.tensors()) {
                analyses.add(new TensorAnalysis(t.name(), t.dtype(), t.shape(), md.classOf(t), "not_measured", Map.of()));
            }
            for (String type : new String[] {"Q8_0", "Q4_K"}) {
                Parameters fp = Parameters.resolve("gguf", gguf.parameters(), gguf.baseline(type, false).orElseThrow(), "bench");
                AllocationPlan plan = uniformPlan(plugins, analyses, BitAllocator.EVERY_MATRIX, gguf.sizer(md.config(), fp));
                Path target = dir.resolve("qwen3-8b-shaped-" + type + ".gguf");
                gguf.write(md, plan, target, new FormatContext(fp, par, ProgressSink.NONE, "swan bench"));
                stored.put(type, target);
            }
        }
        int first = ctx / 2;
        double perLayer = 2.0 * ctx * (2L * hidden * heads * hd + 2L * hidden * kv * hd + 3L * hidden * inter)
                + 4.0 * ctx * ctx * hd * heads;
        double head = 2.0 * (ctx - 1 - first) * vocab * hidden;
        double flops = evalLayers * perLayer + head;
        double flops36 = 36 * perLayer + head;
        int[] tokens = new int[ctx];
        SeededRandom r = new SeededRandom(7);
        for (int i = 0; i < ctx; i++) tokens[i] = Math.floorMod(r.nextLong(), vocab);
        Table tab = new Table("EVAL FORWARD, CTX 512", "WEIGHTS>", "SECONDS (best of 2)>", "GFLOP/S>",
                "TOKENS/S (" + evalLayers + " LAYERS)>", "TOKENS/S (36 LAYERS, PROJECTED)>");
        for (Map.Entry<String, Path> e : stored.entrySet()) {
            try (dev.swan.api.StoredModel m = dev.swan.launcher.evaluation.StoredModels.open(e.getValue(), plugins)) {
                dev.swan.eval.Transformer t = dev.swan.eval.Transformer.of(m);
                double best = Double.MAX_VALUE;
                for (int rep = 0; rep < 2; rep++) {
                    long t0 = System.nanoTime();
                    t.logits(tokens, first, ctx - 1, par);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
                double gflops = flops / best / 1e9;
                tab.row(e.getKey(), Format.bytes(m.fileBytes()), Format.fixed(best, 2), Format.fixed(gflops, 1),
                        Format.fixed(ctx / best, 1), Format.fixed(ctx / (flops36 / (gflops * 1e9)), 2));
            }
        }
        tab.print(out);
    }

    private static float[] random(int n, long seed) {
        SeededRandom r = new SeededRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }

    /** A line of /proc/self/status in kB (Linux), or -1. */
    static long rssKb(String key) {
        return rssKb(Path.of("/proc/self/status"), key);
    }

    /** A line of a /proc status file in kB (Linux), or -1 (no such process, or not Linux). */
    static long rssKb(Path status, String key) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Resets the peak-RSS counter (Linux: write 5 to clear_refs), so VmHWM measures from now on. */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or not allowed: peak includes earlier work
        }
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }
}
