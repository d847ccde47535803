package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline files are validated before any work, with line, column and the allowed values. */
class PipelineYamlTest {
    @TempDir
    Path tmp;

    private Cli run(String yaml, String... extra) throws IOException {
        Path p = tmp.resolve("p" + System.nanoTime() + ".yaml");
        Files.writeString(p, yaml);
        boolean hasOutput = Arrays.asList(extra).contains("-o");
        List<String> args = new ArrayList<>(List.of("analyze", "--config", p.toString()));
        // Never the default output: that is the working folder, shared between runs.
        if (!hasOutput) args.addAll(List.of("-o", tmp.resolve("out" + System.nanoTime() + ".swan.json").toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @TempDir
    static Path models;

    /** A synthetic model the test writes: these checks need a model folder, not the shared real ones. */
    private static String model() {
        Path m = models.resolve("llama");
        if (!Files.exists(m.resolve("config.json"))) {
            try {
                dev.swan.testkit.SyntheticModel.write(dev.swan.testkit.SyntheticModel.llama(), m);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return "model: " + m + "\n";
    }

    private static void assertError(Cli r, String where, String... parts) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains(where), "position " + where + " in: " + r.err());
        for (String p : parts) assertTrue(r.err().contains(p), p + " in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void unknownKeyNamesTheAllowedOnes() throws IOException {
        assertError(run(model() + "seeed: 3\n"), ":2:1:", "unknown key 'seeed'", "allowed:", "seed");
        assertError(run(model() + "allocator: {id: threshold, params: {t8: 0.5}}\n"), ":2:", "unknown key 'params'", "parameters");
        // a value outside what the plugin declares, at its line and column (it had neither before)
        assertError(run(model() + "allocator: {id: uniform, parameters: {bits: 99}}\n"), ":2:", "bits", "99");
    }

    @Test
    void wrongTypes() throws IOException {
        assertError(run(model() + "seed: forty-two\n"), ":2:7", "seed must be an integer");
        assertError(run(model() + "metrics:\n  - {id: svd, weight: high}\n"), ":3:", "weight must be a number");
        assertError(run(model() + "allocator: {id: threshold, parameters: {t8: yes}}\n"), ":2:", "'t8' of 'threshold' must be a number");
        assertError(run(model() + "group_sizes: {4: 100}\n"), ":2:", "group size must be 32, 64 or 128");
    }

    @Test
    void unknownPluginIdsAndParameters() throws IOException {
        assertError(run(model() + "metrics:\n  - {id: entropy, weight: 1.0}\n"), ":3:", "unknown metric 'entropy'", "svd");
        assertError(run(model() + "format: onnx\n"), ":2:", "unknown format 'onnx'", "gguf", "mlx");
        assertError(run(model() + "metrics:\n  - {id: svd, weight: 1.0, parameters: {rnk: 3}}\n"), ":3:",
                "unknown parameter 'rnk'", "rank");
        assertError(run(model() + "allocator: greedy\n"), ":2:", "unknown allocator 'greedy'", "threshold");
    }

    @Test
    void weightsMustSumToOne() throws IOException {
        assertError(run(model() + "metrics:\n  - {id: svd, weight: 0.5}\n  - {id: kurtosis, weight: 0.4}\n"), ":3:",
                "sum to 0.9000", "must sum to 1");
    }

    @Test
    void impossibleTargets() throws IOException {
        assertError(run(model() + "target: {bits: 0.5}\n"), ":2:", "between 1 and 32");
        assertError(run(model() + "target: {size: lots}\n"), ":2:", "6.1GB");
        assertError(run(model() + "target: {bits: 5, size: 1GB}\n"), ":2:", "target is {bits: B}");
        // unreachable from the shapes alone: refused at its line before anything is measured or journaled
        Path manifest = tmp.resolve("small.swan.json");
        Cli tooSmall = run(model() + "target: {bits: 2.5}\n", "-o", manifest.toString());
        assertError(tooSmall, ":2:16", "below the smallest achievable plan", "before measuring");
        assertFalse(Files.exists(tmp.resolve("small.swan.json.partial")), "no analysis ran");
        assertFalse(Files.exists(manifest));
        Cli tooBig = run(model() + "target:\n  size: 1TB\n");
        assertError(tooBig, ":3:9", "above the largest plan");
        Cli cli = run(model(), "--target-bits", "2.5");
        assertError(cli, "--target-bits", "below the smallest achievable plan");
    }

    @Test
    void commandLineOverridesTheFile() throws IOException {
        Path out = tmp.resolve("m.json");
        Cli r = run(model() + "seed: 5\nallocator: {id: threshold, parameters: {t8: 0.9}}\n",
                "--seed", "9", "--set", "threshold.t8=0.5", "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        String m = Files.readString(out);
        assertTrue(m.contains("\"seed\" : 9"), "CLI seed wins");
        assertTrue(r.out().contains("t8 0.5"), r.out());
    }

    @Test
    void exampleRunsAsPrinted() throws IOException {
        Cli ex = Cli.run("config", "--example");
        assertEquals(0, ex.exit());
        Path dir = tmp.resolve("work");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), ex.out());
        Cli demoModel = Cli.run("demo", "--dir", dir.resolve("swan-demo").toString(), "--layers", "2", "-q");
        assertEquals(0, demoModel.exit(), demoModel.toString());
        Cli r = Cli.run("run", dir.resolve("pipeline.yaml").toString(), "-q", "--force");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.exists(dir.resolve("swan-demo/pipeline-out-mlx/config.json")));
    }
}
