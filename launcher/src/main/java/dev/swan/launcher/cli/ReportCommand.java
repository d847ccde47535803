package dev.swan.launcher.cli;

import dev.swan.api.ConfigException;
import dev.swan.api.OutputFormat;
import dev.swan.api.Parameters;
import dev.swan.api.TensorSizer;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.pipeline.Json;
import dev.swan.launcher.pipeline.Manifest;
import dev.swan.launcher.pipeline.ManifestIO;
import dev.swan.launcher.pipeline.Pipeline;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.report.HtmlReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan report}: a plan (and its eval results) as one self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a plan as one self-contained HTML file (no network): bits per tensor as a layers x "
                + "projections heat map, metric scores and composite against depth, bytes by tensor class, and with "
                + "--eval the results table and a quality-versus-size plot of every evaluated model.",
                "  swan eval u4 out --base MODEL --text T --json -o results.json && swan report model.swan.json --eval results.json -o report.html"})
public final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Parameters(paramLabel = "MANIFEST.json", description = "Manifest from 'swan analyze' or 'swan allocate -o'.")
    Path manifest;

    @Option(names = "--eval", paramLabel = "RESULTS.json", description = "Results of 'swan eval --json' (or eval -o) to show and plot.")
    Path evalResults;

    @Option(names = "--plan", paramLabel = "LABEL", description = "The eval row that is this plan (default: the one closest to its size).")
    String planLabel;

    @Option(names = "--format", paramLabel = "ID", description = "Format whose bytes are shown (default: the one the plan was sized for, else mlx).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "REPORT.html", required = true, description = "The HTML file to write.")
    Path output;

    @Option(names = "--force", description = "Replace an existing report.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        Manifest m = ManifestIO.read(manifest);
        Map<String, Object> eval = evalResults == null ? null : readEval(evalResults);
        AtomicOutput.prepare(output, null, force, dev.swan.launcher.pipeline.OutputKind.REPORT);
        try (PluginRegistry plugins = root.plugins()) {
            Object sized = m.allocator().get("sized_for");
            String id = format != null ? format : sized instanceof String s && plugins.hasFormat(s) ? s : "mlx";
            if (!plugins.hasFormat(id)) throw new ConfigException("command line", 0, 0, "--format " + id + ": no such format installed");
            OutputFormat f = plugins.format(id);
            TensorSizer sizer = f.sizer(Pipeline.config(m), Parameters.resolve(id, f.parameters(), null, "defaults"));
            write(output, new HtmlReport(m, sizer, id, eval, planLabel));
        }
        out.println("Wrote " + output);
        return 0;
    }

    static void write(Path output, HtmlReport report) throws IOException {
        AtomicOutput.writeString(output, report.render());
    }

    /** An eval results file, refused in one line when it is not one. */
    static Map<String, Object> readEval(Path file) throws IOException {
        try {
            dev.swan.toolkit.io.InputFiles.requireRegular(file);
            Map<String, Object> doc = Json.MAPPER.readValue(file.toFile(), Json.MAP);
            if (!(doc.get("models") instanceof java.util.List)) {
                throw new ConfigException(file.toString(), 0, 0, "not eval results (no 'models' list): write them with "
                        + "'swan eval ... --json -o RESULTS.json'");
            }
            return doc;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(file.toString(), 0, 0, "not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file.toString(), 0, 0, "no such eval results file");
        }
    }
}
