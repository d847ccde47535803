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
        description = {"Print a commented pipeline file with the default settings. As printed, it quantizes the "
                + "model that 'swan demo' writes (swan-demo/model-qwen3); change 'model' and 'output' for yours:",
                "  swan config --example > pipeline.yaml && swan run pipeline.yaml"})
public final class ConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--example", required = true, description = "Print the example pipeline.")
    boolean example;

    @Override
    public Integer call() throws IOException {
        try (InputStream in = ConfigCommand.class.getResourceAsStream("example-pipeline.yaml")) {
            Io.out(spec).print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return 0;
    }
}
