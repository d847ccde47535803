package dev.swan.launcher.cli;

import dev.swan.api.tensor.DType;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import dev.swan.testkit.SyntheticModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code swan bench --only scale}: what a user sees on a model far larger than the heap. Runs the real
 * {@code bin/swan} (so the heap it sizes from the model applies) as a child process on a Qwen3-8B-shaped
 * BF16 model (36 layers, 16.4 GB, written once unless {@code --model} gives one): quantize to GGUF and to
 * MLX with default settings, then a dry run of a 64 GB model whose shards are headers over sparse zeros;
 * reports wall time, each phase's time as the run prints it, the peak resident memory (VmHWM, which counts
 * the model's pages mapped from the page cache) and the peak anonymous memory (RssAnon: the heap and
 * everything else the process itself allocated), both over the process and its descendants, read every
 * 100 ms.
 */
final class ScaleBench {
    private ScaleBench() {
    }

    /** Qwen3-8B: hidden 4096, MLP 12288, 36 layers, 32 heads of 128, 8 KV heads, vocabulary 151,936, untied head. */
    static SyntheticModel.Spec qwen3_8b() {
        return SyntheticModel.qwen3().withSize(4096, 12288, 36, 32, 8, 128, 151936).withDtype(DType.BF16)
                .withTied(false, false).withMaxShardBytes(4_000_000_000L);
    }

    /** A 64 GB dense model of the same family (hidden 6144, MLP 24576, 56 layers), headers over sparse zeros. */
    static SyntheticModel.Spec sparse64() {
        return SyntheticModel.qwen3().withSize(6144, 24576, 56, 48, 8, 128, 151936).withDtype(DType.BF16)
                .withTied(false, false).withMaxShardBytes(5_000_000_000L).withZeroData(true);
    }

    static void run(PrintStream out, Path dir, Path model, int threads) throws IOException, InterruptedException {
        Path swan = Path.of(System.getProperty("swan.home", "."), "bin", "swan");
        if (!Files.isExecutable(swan)) {
            out.println("scale: needs the distribution's bin/swan (run swan bench from it), skipped");
            return;
        }
        if (model == null) {
            model = dir.resolve("qwen3-8b-shaped");
            out.println();
            out.println("Writing a 36-layer Qwen3-8B-shaped BF16 model (" + Format.count(qwen3_8b().parameterCount())
                    + " parameters, 16.4 GB) for the scale benchmark...");
            SyntheticModel.write(qwen3_8b(), model);
        }
        Path sparse = dir.resolve("sparse-64gb");
        SyntheticModel.write(sparse64(), sparse);
        Table tab = new Table("SCALE (bin/swan, default heap)", "SOURCE>", "SECONDS>", "PEAK RSS>", "PEAK ANON>");
        List<String> phases = new ArrayList<>();
        String t = String.valueOf(threads);
        long src = folderBytes(model);
        Path log = dir.resolve("scale.log");
        row(tab, phases, log, "quantize -f gguf", src, List.of(swan.toString(), "-q", "quantize", model.toString(), "-f", "gguf",
                "-t", t, "-o", dir.resolve("scale.gguf").toString()));
        AtomicOutput.deleteRecursively(dir.resolve("scale.gguf"));
        row(tab, phases, log, "quantize -f mlx", src, List.of(swan.toString(), "-q", "quantize", model.toString(), "-f", "mlx",
                "-t", t, "-o", dir.resolve("scale-mlx").toString()));
        AtomicOutput.deleteRecursively(dir.resolve("scale-mlx"));
        // zeros have no sensitivity to measure, and self-calibration would reread a model larger than the page
        // cache for every decoding step: this row times the headers, shapes and per-tensor measurements
        row(tab, phases, log, "quantize --dry-run --self-calibrate 0, 64 GB sparse", folderBytes(sparse), List.of(swan.toString(),
                "-q", "quantize", sparse.toString(), "-f", "gguf", "-t", t, "--dry-run", "--self-calibrate", "0"));
        AtomicOutput.deleteRecursively(sparse);
        out.println();
        tab.print(out);
        phases.forEach(out::println);
    }

    private static void row(Table tab, List<String> phases, Path log, String what, long source, List<String> command)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long peakKb = -1;
        long anonKb = -1;
        while (p.isAlive()) {
            peakKb = Math.max(peakKb, peakKb(p.toHandle()));
            anonKb = Math.max(anonKb, anonKb(p.toHandle()));
            Thread.sleep(100);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String result = p.exitValue() == 0 ? Format.fixed(secs, 1) : "failed (exit " + p.exitValue() + ")";
        tab.row(what, Format.bytes(source), result, peakKb > 0 ? Format.bytes(peakKb * 1024) : "n/a",
                anonKb > 0 ? Format.bytes(anonKb * 1024) : "n/a");
        for (String line : java.nio.file.Files.readAllLines(log)) {
            if (line.startsWith("Time: ")) phases.add(what + ": " + line.substring("Time: ".length()));
        }
        java.nio.file.Files.deleteIfExists(log);
    }

    /** The anonymous memory (RssAnon) of the process and its descendants now, summed. */
    private static long anonKb(ProcessHandle process) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process), process.descendants())
                .mapToLong(h -> Math.max(0, BenchCommand.rssKb(Path.of("/proc", Long.toString(h.pid()), "status"), "RssAnon")))
                .sum();
    }

    /**
     * The largest peak resident set (VmHWM) of the process and its descendants: with {@code -q} the
     * {@code bin/swan} script runs Java as its child (to filter a start-up line), so the script's own
     * figure would be a shell's.
     */
    private static long peakKb(ProcessHandle process) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process), process.descendants())
                .mapToLong(h -> BenchCommand.rssKb(Path.of("/proc", Long.toString(h.pid()), "status"), "VmHWM"))
                .max().orElse(-1);
    }

    private static long folderBytes(Path dir) throws IOException {
        long n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) n += Files.size(f);
        }
        return n;
    }
}
