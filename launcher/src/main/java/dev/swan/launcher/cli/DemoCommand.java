package dev.swan.launcher.cli;

import dev.swan.api.synthetic.SyntheticModel;
import dev.swan.api.tensor.DType;
import dev.swan.launcher.SwanCommand;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan demo}: writes a small synthetic Llama or Qwen3 model, then runs the main job on it. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a small synthetic Llama- or Qwen3-shaped model (real safetensors, config and "
                + "tokenizer) and run the whole pipeline on it: no download needed."})
public final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "swan-demo",
            description = "Working folder for the synthetic model and outputs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--arch", defaultValue = "qwen3", description = "Model shape: llama or qwen3 (default: ${DEFAULT-VALUE}).")
    String arch;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        SyntheticModel.Spec s = (arch.equals("llama") ? SyntheticModel.llama() : SyntheticModel.qwen3())
                .withSize(256, 768, 8, 8, 4, 32, 1024).withDtype(DType.BF16);
        Path model = dir.resolve("model-" + arch);
        if (!Files.exists(model.resolve("config.json"))) {
            SyntheticModel.write(s, model);
            out.println("Wrote synthetic " + arch + " model to " + model);
        }
        return 0;
    }
}
