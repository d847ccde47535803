package dev.swan.launcher.cli;

import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import dev.swan.launcher.SwanCommand;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan demo}: writes a small synthetic Llama or Qwen3 model, then runs the main job on it. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The main job end to end, without a download: write a small synthetic Llama- or Qwen3-shaped "
                + "model (real safetensors, config and tokenizer files), analyze it, and write a SWAN-quantized MLX "
                + "directory and GGUF file, each checked with 'swan verify'."})
public final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "swan-demo",
            description = "Working folder for the model and outputs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--arch", defaultValue = "qwen3", description = "Model shape: llama or qwen3 (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--layers", defaultValue = "8", description = "Decoder layers of the synthetic model (default: ${DEFAULT-VALUE}).")
    int layers;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        if (!arch.equals("llama") && !arch.equals("qwen3")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--arch must be llama or qwen3");
        }
        SyntheticModel.Spec s = (arch.equals("llama") ? SyntheticModel.llama() : SyntheticModel.qwen3())
                .withSize(256, 768, layers, 8, 4, 32, 1024).withDtype(DType.BF16);
        Path model = dir.resolve("model-" + arch);
        if (!Files.exists(model.resolve("config.json"))) {
            SyntheticModel.write(s, model);
            out.println("== Wrote a synthetic " + arch + " model (" + String.format("%,d", s.parameterCount())
                    + " parameters, BF16) to " + model);
        } else {
            out.println("== Using the synthetic model in " + model);
        }
        String[][] steps = {
            {"inspect", model.toString()},
            {"analyze", model.toString(), "-o", dir.resolve(arch + ".swan.json").toString(), "--force"},
            {"quantize", model.toString(), "--manifest", dir.resolve(arch + ".swan.json").toString(), "-f", "mlx",
                "-o", dir.resolve(arch + "-swan-mlx").toString(), "--force"},
            {"verify", dir.resolve(arch + "-swan-mlx").toString(), "--source", model.toString()},
            // a plan chooses among one format's encodings: GGUF gets its own, in one step
            {"quantize", model.toString(), "-f", "gguf", "-o", dir.resolve(arch + "-swan.gguf").toString(), "--force"},
            {"verify", dir.resolve(arch + "-swan.gguf").toString(), "--source", model.toString()},
        };
        CommandLine cli = spec.root().commandLine();
        for (String[] step : steps) {
            out.println();
            out.println("== swan " + String.join(" ", step));
            List<String> args = new ArrayList<>(List.of(step));
            if (root.quiet()) args.add("-q");
            int code = cli.execute(args.toArray(new String[0]));
            if (code != 0) return code;
        }
        out.println();
        out.println("Demo done: outputs in " + dir + " (MLX directory for mlx_lm.load, GGUF file for llama.cpp).");
        return 0;
    }
}
