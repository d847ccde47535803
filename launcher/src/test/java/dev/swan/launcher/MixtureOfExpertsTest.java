package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SyntheticModel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixture-of-experts models through the whole CLI: each expert stack gets one decision (threshold and rd
 * allocators), the MLX and GGUF outputs verify against the source, swan eval runs them, and
 * {@code analyze --dry-run} forecasts without writing.
 */
class MixtureOfExpertsTest {
    @TempDir
    Path tmp;

    /** Decisions of every expert slice, by stack: one per stack. */
    private static void oneDecisionPerStack(Path manifest) throws Exception {
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        Map<String, String> byStack = new HashMap<>();
        int slices = 0;
        for (JsonNode t : m.get("tensors")) {
            String name = t.get("name").asText();
            if (!name.matches(".*\\.experts\\.\\d+\\..*")) continue;
            slices++;
            String stack = name.replaceAll("\\.experts\\.\\d+\\.", ".experts.*.");
            String d = t.get("decision").get("bits").asText() + "/" + t.get("decision").path("encoding").asText();
            String before = byStack.putIfAbsent(stack, d);
            assertTrue(before == null || before.equals(d), stack + ": " + before + " and " + d);
        }
        assertTrue(slices > 0 && byStack.size() * 2 <= slices, "slices " + slices + ", stacks " + byStack.size());
    }

    @Test
    void quantizeVerifyAndEvalEachLayout() throws Exception {
        Map<String, SyntheticModel.Spec> specs = Map.of("q3m", SyntheticModel.qwen3Moe(), "q2m", SyntheticModel.qwen2Moe(),
                "mx", SyntheticModel.mixtral());
        for (Map.Entry<String, SyntheticModel.Spec> e : specs.entrySet()) {
            Path model = tmp.resolve(e.getKey());
            SyntheticModel.write(e.getValue(), model);
            String[][] runs = {{"-f", "gguf", "--self-calibrate", "0"}, {"-f", "mlx", "--allocator", "threshold"}};
            for (String[] run : runs) {
                String kind = run[1] + "-" + run[3];
                Path out = tmp.resolve(e.getKey() + "-" + kind + (run[1].equals("gguf") ? ".gguf" : ""));
                Cli q = run("quantize", model, run, out, "--force"); // not -q: the summary is checked
                assertEquals(0, q.exit(), e.getKey() + " " + kind + ": " + q);
                assertTrue(q.out().contains("Read per token (2 of " + e.getValue().moe().experts() + " experts)"), q.out());
                oneDecisionPerStack(manifest(model, run));
                Cli v = Cli.run("verify", out.toString(), "--source", model.toString());
                assertEquals(0, v.exit(), e.getKey() + " " + kind + ": " + v);
                Cli ev = Cli.run("eval", "--base", model.toString(), out.toString(), "--ids", ids().toString(), "--ctx", "64", "--json", "-q");
                assertEquals(0, ev.exit(), ev.toString());
                JsonNode models = new ObjectMapper().readTree(ev.out()).get("models");
                JsonNode quantized = models.get(models.size() - 1);
                double ppl = quantized.get("ppl").asDouble();
                double kld = quantized.get("kld_mean").asDouble();
                assertTrue(Double.isFinite(ppl) && kld >= 0 && kld < 1, e.getKey() + " " + kind + ": " + models);
            }
        }
    }

    /** The manifest of an analysis of {@code model} with the same options (quantize keeps none once it finishes). */
    private Path manifest(Path model, String[] run) throws Exception {
        Path m = tmp.resolve(model.getFileName() + "-" + String.join("", run).replace("-", "") + ".swan.json");
        Cli a = run("analyze", model, run, m, "-q");
        assertEquals(0, a.exit(), a.toString());
        return m;
    }

    /** {@code swan COMMAND MODEL OPTIONS... -o OUT LAST}. */
    private static Cli run(String command, Path model, String[] options, Path out, String last) {
        String[] args = new String[options.length + 5];
        args[0] = command;
        args[1] = model.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        args[options.length + 2] = "-o";
        args[options.length + 3] = out.toString();
        args[options.length + 4] = last;
        return Cli.run(args);
    }

    private Path ids() throws Exception {
        Path f = tmp.resolve("ids.json");
        if (!java.nio.file.Files.exists(f)) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < 256; i++) b.append(i == 0 ? "" : ",").append((i * 37 + 11) % 500);
            java.nio.file.Files.writeString(f, b.append(']').toString());
        }
        return f;
    }

    @Test
    void dryRunForecastsWithoutWriting() throws Exception {
        Path model = tmp.resolve("q3m");
        SyntheticModel.write(SyntheticModel.qwen3Moe(), model);
        Cli r = Cli.run("analyze", model.toString(), "--dry-run", "-f", "gguf");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("48 per-expert slices in 6 stacks"), r.out());
        assertTrue(r.out().contains("Forecast: analysis takes about"), r.out());
        try (var files = java.nio.file.Files.list(tmp)) {
            assertEquals(1, files.count(), "nothing but the model");
        }
    }
}
