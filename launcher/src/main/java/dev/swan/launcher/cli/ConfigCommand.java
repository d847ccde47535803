package dev.swan.launcher.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan config --example}: a commented default pipeline. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Print a commented pipeline file with the default settings (also without --example). As "
                + "printed, it quantizes the model that 'swan demo' writes next to it (swan-demo/model-qwen3); "
                + "set 'model' and 'output' for yours. Paths are relative to the file:",
                "  swan config > pipeline.yaml && swan demo && swan run pipeline.yaml"})
public final class ConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--example", description = "Print the example pipeline (the default).")
    boolean example;

    @Override
    public Integer call() throws IOException {
        try (InputStream in = ConfigCommand.class.getResourceAsStream("example-pipeline.yaml")) {
            Io.out(spec).print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return 0;
    }
}
