package dev.swan.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.swan.launcher.Main;
import dev.swan.testkit.SharedModels;
import dev.swan.testkit.SyntheticModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swan analyze --spark local[2]} writes the manifest a local {@code swan analyze} writes, apart
 * from timings: on stories260K, and on a sharded synthetic model with per-expert slices (measured as
 * stacks) after a failed job, its resume from the journal and a task Spark retried.
 */
class SparkAnalysisTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void stories260kAsOnOneMachine() throws Exception {
        Path model = SharedModels.model("stories260K");
        // the default pipeline, but self-calibration (the driver's own step after the measurements) off
        assertSameManifest(model, List.of("--self-calibrate", "0"), "stories");
    }

    @Test
    void shardedMixtureOfExpertsThroughAFailedJobAResumeAndARetriedTask() throws Exception {
        Path model = tmp.resolve("moe");
        SyntheticModel.write(SyntheticModel.qwen3Moe().withMaxShardBytes(200_000), model);
        assertTrue(Files.list(model).filter(p -> p.toString().endsWith(".safetensors")).count() > 2, "sharded");
        Path marker = tmp.resolve("failed-once");
        Path block = tmp.resolve("block");
        // the same parameters for every run (the manifest and the journal record them); the tensor is in the last
        // wave. Self-calibration (on the driver, after the measurements) is off: it adds 20 s a run and nothing here
        List<String> metrics = List.of("--self-calibrate", "0", "--metrics", "svd=0.3,kurtosis=0.3,noise=0.1,recon=0.2,fails_once=0.1",
                "--set", "fails_once.tensor=model.layers.1.self_attn.v_proj.weight", "--set", "fails_once.marker=" + marker,
                "--set", "fails_once.block=" + block);
        Files.createFile(marker); // locally: no failure
        JsonNode local = analyze(model, metrics, null, "moe-local", 0);

        // a job whose task fails every attempt: one line, and what finished stays in the journal
        Files.delete(marker);
        Files.createFile(block);
        String failed = run(model, metrics, "local[2]", "moe-spark", 1);
        assertTrue(failed.contains("swan: the Spark job failed: ")
                && failed.contains("injected failure") && failed.contains("the same command resumes"), failed);
        Path journal = tmp.resolve("moe-spark.json.partial");
        assertTrue(Files.exists(journal) && Files.readAllLines(journal).size() > 2, "journal kept: " + failed);

        // the same command resumes; the task fails once more, Spark retries it, and nothing differs
        Files.delete(block);
        Files.deleteIfExists(marker);
        String resumed = run(model, metrics, "local[2]", "moe-spark", 0);
        assertTrue(resumed.contains("Resuming an interrupted run"), resumed);
        assertTrue(Files.exists(marker), "the injected failure happened, and Spark retried the task");
        assertEquals(withoutTimings(local), withoutTimings(JSON.readTree(tmp.resolve("moe-spark.json").toFile())));
    }

    private void assertSameManifest(Path model, List<String> options, String name) throws Exception {
        JsonNode local = analyze(model, options, null, name + "-local");
        JsonNode spark = analyze(model, options, "local[2]", name + "-spark");
        assertEquals(withoutTimings(local), withoutTimings(spark));
    }

    private JsonNode analyze(Path model, List<String> options, String master, String name) throws Exception {
        return analyze(model, options, master, name, 0);
    }

    /** Runs the analysis, expecting {@code exit}; the manifest when it succeeded. */
    private JsonNode analyze(Path model, List<String> options, String master, String name, int exit) throws Exception {
        run(model, options, master, name, exit);
        return exit == 0 ? JSON.readTree(tmp.resolve(name + ".json").toFile()) : null;
    }

    private String run(Path model, List<String> options, String master, String name, int exit) throws Exception {
        Path out = tmp.resolve(name + ".json");
        List<String> args = new ArrayList<>(List.of("analyze", model.toString(), "-o", out.toString(), "-t", "2"));
        args.addAll(options);
        if (master != null) args.addAll(List.of("--spark", master));
        System.setProperty("swan.userPlugins", "");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(new String[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        String printed = o.toString(StandardCharsets.UTF_8) + e.toString(StandardCharsets.UTF_8);
        assertEquals(exit, code, printed);
        return printed;
    }

    /** The manifest without what a clock decides: when it was made and how long each step took. */
    private static JsonNode withoutTimings(JsonNode manifest) {
        ObjectNode m = manifest.deepCopy();
        m.remove("created");
        for (JsonNode t : m.withArray("tensors")) ((ObjectNode) t).remove("seconds");
        ObjectNode summary = (ObjectNode) m.get("summary");
        summary.remove("metric_seconds");
        summary.remove("analysis_seconds");
        return m;
    }
}
