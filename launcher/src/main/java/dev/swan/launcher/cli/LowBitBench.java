package dev.swan.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.swan.launcher.pipeline.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code swan bench --only lowbit}: the README's table down to 1-2 bits on the shared 256-aligned model. For
 * each of llama-quantize's i-quant recipes (IQ4_XS, IQ3_M, IQ3_XXS, IQ2_M, IQ2_XXS) the recipe without an
 * importance matrix (as llama-quantize writes it; for the ones it refuses without a matrix, the recipe with
 * equal column weights, labelled so), the recipe with the matrix given by {@code --imatrix} (llama-imatrix's
 * output on text of the model's domain), and swan's default plan, data-free, at the bytes of the matrix
 * version; for MLX, uniform 3 and 2 bits, mxfp4 and nvfp4 and swan's default plan at each one's bytes. All
 * scored against the source with {@code swan eval} on the model's evaluation text.
 */
final class LowBitBench {
    static final QualityBench.Model MODEL = new QualityBench.Model("qwen3-gutenberg-4m", "gutenberg/frankenstein-excerpt.txt", 256);
    /** llama-quantize's i-quant recipes the table covers, and whether it writes them without a matrix. */
    static final List<String> GGUF_RECIPES = List.of("IQ4_XS", "IQ3_M", "IQ3_XXS", "IQ2_M", "IQ2_XXS");
    static final List<String> REFUSED_WITHOUT_MATRIX = List.of("IQ3_XXS", "IQ2_M", "IQ2_XXS");
    static final List<String> MLX_UNIFORM = List.of("3", "2", "mxfp4", "nvfp4");

    private LowBitBench() {
    }

    static void run(PrintStream out, Path shared, Path imatrix, Path dir, int threads) throws IOException {
        Path model = shared.resolve("models").resolve(MODEL.name());
        String text = shared.resolve("eval").resolve(MODEL.text()).toString();
        String t = Integer.toString(threads);
        out.println();
        out.println("| recipe | plan | bytes | KLD | PPL | top-1 |");
        out.println("| --- | --- | ---: | ---: | ---: | ---: |");
        for (String recipe : GGUF_RECIPES) {
            List<Path> files = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            Path plain = dir.resolve(recipe + "-plain.gguf");
            QualityBench.swan("quantize", model.toString(), "-f", "gguf", "-o", plain.toString(), "--preset", recipe, "-t", t,
                    "-q", "--force");
            files.add(plain);
            labels.add(REFUSED_WITHOUT_MATRIX.contains(recipe) ? "recipe, equal column weights (llama-quantize refuses "
                    + "without a matrix)" : "llama-quantize, no imatrix");
            Path sized = plain;
            if (imatrix != null) {
                Path withMatrix = dir.resolve(recipe + "-imatrix.gguf");
                QualityBench.swan("quantize", model.toString(), "-f", "gguf", "-o", withMatrix.toString(), "--preset", recipe,
                        "--set", "gguf.imatrix=" + imatrix, "-t", t, "-q", "--force");
                files.add(withMatrix);
                labels.add("llama-quantize + imatrix (data)");
                sized = withMatrix;
            }
            Path swan = dir.resolve(recipe + "-swan.gguf");
            QualityBench.swan("quantize", model.toString(), "-f", "gguf", "-o", swan.toString(), "--target-size",
                    QualityBench.weightBytes(sized) + "B", "-t", t, "-q", "--force");
            files.add(swan);
            labels.add("swan, self-calibrated (data-free)");
            print(out, recipe, files, labels, model, text, dir.resolve(recipe + ".json"), t);
        }
        out.println();
        out.println("| MLX size of | plan | bytes | KLD | PPL | top-1 |");
        out.println("| --- | --- | ---: | ---: | ---: | ---: |");
        for (String uniform : MLX_UNIFORM) {
            Path base = dir.resolve("mlx-" + uniform);
            QualityBench.swan("quantize", model.toString(), "-f", "mlx", "-o", base.toString(), "--uniform", uniform, "-t", t,
                    "-q", "--force");
            Path swan = dir.resolve("mlx-" + uniform + "-swan");
            QualityBench.swan("quantize", model.toString(), "-f", "mlx", "-o", swan.toString(), "--target-size",
                    QualityBench.weightBytes(base) + "B", "-t", t, "-q", "--force");
            String label = uniform.matches("\\d") ? "uniform " + uniform + "-bit" : uniform;
            print(out, label, List.of(base, swan), List.of("mlx_lm.convert -q " + (uniform.matches("\\d") ? "--q-bits "
                    + uniform : "--q-mode " + uniform), "swan, self-calibrated (data-free)"), model, text,
                    dir.resolve("mlx-" + uniform + ".json"), t);
        }
    }

    private static void print(PrintStream out, String first, List<Path> files, List<String> labels, Path model, String text,
                              Path results, String t) throws IOException {
        List<String> args = new ArrayList<>(List.of("eval"));
        for (Path f : files) args.add(f.toString());
        args.addAll(List.of("--base", model.toString(), "--text", text, "--ctx", Integer.toString(MODEL.ctx()), "-t", t,
                "--json", "-o", results.toString(), "--force"));
        QualityBench.swan(args.toArray(new String[0]));
        JsonNode rows = Json.MAPPER.readTree(results.toFile()).get("models");
        for (int i = 0; i < files.size(); i++) {
            JsonNode r = rows.get(i + 1);
            QualityBench.Row row = new QualityBench.Row(first, labels.get(i), QualityBench.weightBytes(files.get(i)),
                    r.get("kld_mean").asDouble(), r.get("ppl").asDouble(), r.get("top1").asDouble());
            out.println(row.markdown(i == 0));
        }
    }
}
