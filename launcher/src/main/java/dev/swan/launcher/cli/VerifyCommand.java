package dev.swan.launcher.cli;

import dev.swan.launcher.pipeline.Json;
import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.FormatContext;
import dev.swan.api.OutputFormat;
import dev.swan.api.ProgressSink;
import dev.swan.api.VerifyReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan verify}: check an output the way its runtime would load it. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-open an output (MLX directory or GGUF file) and check it as its runtime would: names, "
                + "shapes, types, layout, no NaN/Inf. With --source, also report each tensor's dequantization "
                + "error against the original weights. Exit status 1 when a problem is found."})
public final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "OUTPUT", description = "MLX output directory or GGUF file.")
    Path output;

    @Option(names = "--source", paramLabel = "MODEL_DIR", description = "The model it was made from, for error figures.")
    Path source;

    @Option(names = "--format", paramLabel = "ID", description = "Format to check as (default: recognised from the output).")
    String format;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    /** {@code swan verify --json}: the verdict, its problems, and each tensor's error against the source. */
    record VerifyJson(String output, String format, boolean ok, List<String> problems, List<CheckJson> tensors) {
    }

    record CheckJson(String name, String type, Double nrmse,
                     @com.fasterxml.jackson.annotation.JsonProperty("max_abs_error") Double maxAbsError) {
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        if (!Files.exists(output)) throw new dev.swan.api.OutputException(output, "does not exist");
        try (PluginRegistry plugins = root.plugins()) {
            OutputFormat f = null;
            if (format != null) {
                f = plugins.format(format);
                if (f.writesDirectory() != Files.isDirectory(output)) {
                    throw new dev.swan.api.OutputException(output, (Files.isDirectory(output) ? "is a folder, but " + format
                            + " outputs are files" : "is a file, but " + format + " outputs are folders")
                            + ": give the output itself, or drop --format to recognise it");
                }
            } else {
                for (LoadedPlugin<OutputFormat> p : plugins.formats()) {
                    if (p.plugin().recognizes(output)) {
                        f = p.plugin();
                        break;
                    }
                }
                if (f == null) throw new dev.swan.api.OutputException(output, "no installed format recognises it (give --format)");
            }
            Optional<ModelDir> src = source == null ? Optional.empty() : Optional.of(dev.swan.launcher.pipeline.ModelSources.open(source, plugins, true));
            try {
                dev.swan.api.Parameters params = dev.swan.api.Parameters.resolve(f.id(), f.parameters(), null, "defaults");
                VerifyReport r = f.verify(output, src, new FormatContext(params, Parallel.sequential(), ProgressSink.NONE, ""));
                if (json) {
                    List<CheckJson> ts = new ArrayList<>();
                    for (VerifyReport.Check c : r.tensors()) {
                        ts.add(new CheckJson(c.name(), c.type(), Double.isNaN(c.nrmse()) ? null : c.nrmse(),
                                Double.isNaN(c.maxAbsError()) ? null : c.maxAbsError()));
                    }
                    out.println(Json.MAPPER.writeValueAsString(new VerifyJson(output.toString(), f.id(), r.ok(),
                            r.problems(), ts)));
                } else {
                    if (source != null) {
                        Table t = new Table("TENSOR", "TYPE", "NRMSE>", "MAX |ERR|>");
                        for (VerifyReport.Check c : r.tensors()) {
                            t.row(c.name(), c.type(), Double.isNaN(c.nrmse()) ? "-" : Format.fixed(c.nrmse(), 5),
                                    Double.isNaN(c.maxAbsError()) ? "-" : String.format(java.util.Locale.ROOT, "%.3g", c.maxAbsError()));
                        }
                        t.print(out);
                    } else {
                        // without the source there is no error to show: the stored types, counted
                        java.util.Map<String, Integer> types = new java.util.TreeMap<>();
                        for (VerifyReport.Check c : r.tensors()) types.merge(c.type(), 1, Integer::sum);
                        Table t = new Table("TYPE", "TENSORS>");
                        types.forEach((type, n) -> t.row(type, n));
                        t.print(out);
                        out.println("(error figures per tensor need the original model: add --source MODEL_DIR)");
                    }
                    if (r.ok()) {
                        out.println("OK: " + output + " is a valid " + f.id() + " output (" + r.tensors().size() + " tensors)");
                    } else {
                        for (String p : r.problems()) out.println("PROBLEM: " + p);
                    }
                }
                if (!r.ok()) {
                    Io.err(spec).println("swan: " + output + ": " + r.problems().size() + " problem(s), first: " + r.problems().get(0));
                    return 1;
                }
            } finally {
                src.ifPresent(ModelDir::close);
            }
        }
        return 0;
    }
}
