package dev.swan.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.swan.api.OutputException;
import dev.swan.api.OutputFormat;
import dev.swan.api.StoredModel;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.evaluation.ModelCard;
import dev.swan.launcher.evaluation.StoredModels;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.pipeline.Json;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan card}: the output's model card, its results table made from swan eval's JSON. */
@Command(name = "card", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a quantized model's card: what it is and how it was made, the results table of every "
                + "evaluation given (the base, this model and the other models evaluated beside it: size, bits per weight, "
                + "compression, perplexity, Δ vs base, KL divergence, top-1, task accuracies, WikiText), the precision of its "
                + "tensors and which got more bits, and how to run it. For an MLX folder the card is its README.md; for "
                + "a GGUF file, a sidecar FILE.md. The numbers are read from the results files, never typed.",
                "Example: swan eval out-mlx uniform4-mlx --base MODEL_DIR --text wiki.test.raw --json -o ppl.json",
                "         swan card out-mlx --results ppl.json --results tasks.json"})
public final class CardCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "OUTPUT", description = "The quantized model: an MLX folder or a GGUF file swan wrote.")
    Path output;

    @Option(names = "--results", paramLabel = "RESULTS.json", required = true,
            description = "A results file of swan eval --json (-o); repeatable: perplexity, tasks and WikiText may come from different runs.")
    List<Path> results;

    @Option(names = "--source", paramLabel = "NAME", description = "The model it was made from, as the card names it (default: the base's folder name).")
    String source;

    @Option(names = {"-o", "--output"}, paramLabel = "CARD.md", description = "Where to write the card (default: OUTPUT/README.md for MLX, OUTPUT's name with .md for GGUF).")
    Path card;

    @Option(names = "--force", description = "Replace an existing card this command wrote.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        List<Map.Entry<Path, JsonNode>> docs = new ArrayList<>();
        for (Path r : results) {
            if (!Files.isRegularFile(r)) throw new OutputException(r, "no such results file: write one with swan eval ... --json -o " + r);
            JsonNode doc;
            try {
                doc = Json.MAPPER.readTree(r.toFile());
            } catch (java.io.IOException e) {
                throw new OutputException(r, "not a results file of swan eval (not JSON: " + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            if (doc == null || !doc.has("protocol")) throw new OutputException(r, "not a results file of swan eval (no 'protocol')");
            docs.add(new AbstractMap.SimpleEntry<>(r, doc));
        }
        try (PluginRegistry plugins = root.plugins()) {
            Path target = write(output, docs, source, card, force, plugins);
            if (!root.quiet()) out.println("Wrote " + target + " (card of " + output + " from " + results.size() + " results file"
                    + (results.size() == 1 ? "" : "s") + ")");
        }
        return 0;
    }

    /**
     * Writes {@code output}'s card from results documents (swan eval's JSON); returns where.
     *
     * @param card  where, or null for the default (an MLX folder's README.md, a GGUF's sidecar NAME.md)
     * @param force whether a card this command wrote before may be replaced
     */
    static Path write(Path output, List<Map.Entry<Path, JsonNode>> docs, String source, Path card, boolean force,
                      PluginRegistry plugins) throws java.io.IOException {
        String format = null;
        for (LoadedPlugin<OutputFormat> f : plugins.formats()) {
            if (f.plugin().recognizes(output)) {
                format = f.plugin().id();
                break;
            }
        }
        if (format == null) throw new OutputException(output, "not a model swan can read (an MLX folder or a GGUF file)");
        Path target = card != null ? card : Files.isDirectory(output) ? output.resolve("README.md")
                : output.resolveSibling(output.getFileName().toString().replaceFirst("\\.gguf$", "") + ".md");
        boolean insideOutput = Files.isDirectory(output) && target.toAbsolutePath().normalize().getParent()
                .equals(output.toAbsolutePath().normalize());
        if (Files.exists(target) && !insideOutput) {
            if (!force) throw new OutputException(target, "already exists: pass --force to replace it (only a card swan card wrote)");
            if (!Files.readString(target, StandardCharsets.UTF_8).contains(ModelCard.MARK)) {
                throw new OutputException(target, "exists and is not a card swan card wrote: move it away or choose another -o");
            }
        }
        try (StoredModel m = StoredModels.open(output, plugins)) {
            String method = "";
            Path readme = output.resolve("README.md");
            if (Files.isDirectory(output) && Files.isRegularFile(readme)) {
                // the sentence swan's MLX writer recorded when it wrote the folder
                for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
                    int at = line.indexOf("How the plan was made: ");
                    if (at >= 0) method = line.substring(at + "How the plan was made: ".length()).strip();
                }
            }
            String name = output.getFileName().toString().replaceFirst("\\.gguf$", "");
            String sourceName = source != null ? source : baseName(docs);
            String text = ModelCard.render(new ModelCard.Output(name, format, output, m.tensors(), m.fileBytes(), method), docs,
                    sourceName);
            AtomicOutput.writeString(target, text);
        }
        return target;
    }

    /** The base model's folder or file name, from the first results file that has one. */
    private static String baseName(List<Map.Entry<Path, JsonNode>> docs) {
        for (Map.Entry<Path, JsonNode> d : docs) {
            for (String list : new String[] {"models", "tasks", "corpora"}) {
                JsonNode rows = d.getValue().get(list);
                if (rows == null) continue;
                for (JsonNode r : rows) {
                    if (r.path("base").asBoolean()) {
                        Path p = Path.of(r.get("model").asText());
                        return p.getFileName() == null ? r.get("model").asText() : p.getFileName().toString();
                    }
                }
            }
        }
        return null;
    }
}
