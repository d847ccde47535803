package dev.swan.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.swan.launcher.Main;
import dev.swan.launcher.pipeline.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code swan bench --only quality}: the README's "Quality per byte" tables, made by the commands a user
 * runs. For each shared model and each format's usual baselines (MLX uniform 4 and 3 bits and mlx_lm's
 * mixed_4_6 and mixed_3_6 recipes; llama-quantize's Q4_0 and Q4_K_M recipes), the baseline is written, then swan's plan at exactly the baseline's bytes,
 * weight-only ({@code --self-calibrate 0}) and with the default self-calibration, and all three are scored
 * against the source with {@code swan eval} on the model's evaluation text (the whole text).
 */
final class QualityBench {
    /** A shared model and the text it is scored on. */
    record Model(String name, String text, int ctx) {
    }

    static final List<Model> MODELS = List.of(
            new Model("stories260K", "tinystories/tinystories-valid-excerpt.txt", 256),
            new Model("aidreams260K", "tinystories/tinystories-valid-excerpt.txt", 128),
            new Model("qwen3-gutenberg-4m", "gutenberg/frankenstein-excerpt.txt", 256));

    /** A baseline of a format: {@code --uniform NAME} or {@code --preset NAME}, and how the table names it. */
    record Baseline(String format, String name, boolean preset, String label) {
    }

    static final List<Baseline> BASELINES = List.of(
            new Baseline("mlx", "4", false, "uniform 4-bit"),
            new Baseline("mlx", "3", false, "uniform 3-bit"),
            new Baseline("mlx", "mixed_4_6", true, "mlx_lm mixed_4_6"),
            new Baseline("mlx", "mixed_3_6", true, "mlx_lm mixed_3_6"),
            new Baseline("gguf", "Q4_0", true, "llama-quantize Q4_0"),
            new Baseline("gguf", "Q4_K_M", true, "llama-quantize Q4_K_M"));

    /** One table row: a plan, its weight bytes and its quality against the source. */
    record Row(String model, String plan, long bytes, double kld, double ppl, double top1) {
        /** The row as the README's tables print it. */
        String markdown(boolean first) {
            String kl = kld >= 0.01 ? String.format(Locale.ROOT, "%.4f", kld) : String.format(Locale.ROOT, "%.5f", kld);
            String pp = ppl >= 100 ? String.format(Locale.ROOT, "%.2f", ppl) : String.format(Locale.ROOT, "%.3f", ppl);
            boolean swan = plan.startsWith("swan, self");
            return String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s | %.1f %% |", first ? model : "",
                    swan ? "**" + plan + "**" : plan, bytes, swan ? "**" + kl + "**" : kl, pp, 100 * top1);
        }
    }

    private QualityBench() {
    }

    static void run(PrintStream out, Path shared, Path dir, int threads) throws IOException {
        for (String format : List.of("mlx", "gguf")) {
            out.println();
            out.println("| model | plan | bytes | KLD | PPL | top-1 |");
            out.println("| --- | --- | ---: | ---: | ---: | ---: |");
            for (Model m : MODELS) {
                boolean first = true;
                for (Baseline b : BASELINES) {
                    if (!b.format().equals(format)) continue;
                    for (Row r : rows(shared, m, b, dir, threads)) {
                        out.println(r.markdown(first));
                        first = false;
                    }
                }
            }
        }
    }

    /** The baseline, swan weight-only and swan self-calibrated at the baseline's bytes, scored. */
    static List<Row> rows(Path shared, Model m, Baseline b, Path dir, int threads) throws IOException {
        Path model = shared.resolve("models").resolve(m.name());
        String ext = b.format().equals("gguf") ? ".gguf" : "";
        String tag = m.name() + "-" + b.format() + "-" + b.name();
        Path base = dir.resolve(tag + "-baseline" + ext);
        Path weightOnly = dir.resolve(tag + "-weight-only" + ext);
        Path calibrated = dir.resolve(tag + "-default" + ext);
        String t = Integer.toString(threads);
        swan("quantize", model.toString(), "-f", b.format(), "-o", base.toString(), b.preset() ? "--preset" : "--uniform",
                b.name(), "-t", t, "-q", "--force");
        long bytes = weightBytes(base);
        String target = bytes + "B";
        swan("quantize", model.toString(), "-f", b.format(), "-o", weightOnly.toString(), "--target-size", target,
                "--self-calibrate", "0", "-t", t, "-q", "--force");
        swan("quantize", model.toString(), "-f", b.format(), "-o", calibrated.toString(), "--target-size", target, "-t", t,
                "-q", "--force");
        Path results = dir.resolve(tag + ".json");
        swan("eval", base.toString(), weightOnly.toString(), calibrated.toString(), "--base", model.toString(), "--text",
                shared.resolve("eval").resolve(m.text()).toString(), "--ctx", Integer.toString(m.ctx()), "-t", t, "--json",
                "-o", results.toString(), "--force");
        JsonNode rows = Json.MAPPER.readTree(results.toFile()).get("models");
        List<Row> out = new ArrayList<>();
        String[] plans = {b.label(), "swan, weight-only", "swan, self-calibrated" + (isDefault(b) ? " (default)" : "")};
        Path[] files = {base, weightOnly, calibrated};
        for (int i = 0; i < plans.length; i++) {
            JsonNode r = rows.get(i + 1);
            out.add(new Row(m.name(), plans[i], weightBytes(files[i]), r.get("kld_mean").asDouble(), r.get("ppl").asDouble(),
                    r.get("top1").asDouble()));
        }
        return out;
    }

    /** Whether this baseline's size is the format's default target (what a plain quantize plans for). */
    private static boolean isDefault(Baseline b) {
        return b.format().equals("mlx") ? b.name().equals("4") : b.name().equals("Q4_K_M");
    }

    /** The bytes of the weights: the GGUF file, or an MLX folder's safetensors files. */
    static long weightBytes(Path out) throws IOException {
        if (Files.isRegularFile(out)) return Files.size(out);
        long n = 0;
        try (var files = Files.list(out)) {
            for (Path f : (Iterable<Path>) files::iterator) if (f.toString().endsWith(".safetensors")) n += Files.size(f);
        }
        return n;
    }

    static void swan(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("swan " + String.join(" ", args) + " failed: " + e.toString(StandardCharsets.UTF_8).strip());
        }
    }
}
