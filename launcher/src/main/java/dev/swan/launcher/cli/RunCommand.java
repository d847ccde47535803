package dev.swan.launcher.cli;

import dev.swan.launcher.SwanCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan run pipeline.yaml}: the pipeline of a YAML file, end to end. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the pipeline a YAML file describes (model, output, format, metrics and weights, allocator, "
                + "target, rules, seed, threads, plugin folders): the same as 'swan quantize --config FILE'. "
                + "Further quantize options override the file, e.g. 'swan run p.yaml --force --target-bits 5'.",
                "The file is validated before any work starts. 'swan config --example' prints one."})
public final class RunCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PIPELINE.yaml", description = "Pipeline file.")
    Path pipeline;

    @Unmatched
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of("quantize", "--config", pipeline.toString()));
        args.addAll(overrides);
        return spec.root().commandLine().execute(args.toArray(new String[0]));
    }
}
