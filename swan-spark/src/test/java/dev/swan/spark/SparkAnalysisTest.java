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

    /**
     * A sharded model at a Hadoop file system URI (a test scheme over local files): the driver mirrors
     * its headers, the executors and the driver's self-calibration read the weights through Hadoop (the
     * mirror holds zeros, so any other source would change every measurement), and the manifest is the
     * local run's apart from timings and the model's location.
     */
    @Test
    void modelAtAHadoopUriAsOnOneMachine() throws Exception {
        Path model = tmp.resolve("remote");
        SyntheticModel.write(SyntheticModel.qwen3().withMaxShardBytes(300_000), model);
        assertTrue(Files.list(model).filter(p -> p.toString().endsWith(".safetensors")).count() > 1, "sharded");
        String uri = "swantest://" + model.toAbsolutePath();
        List<String> options = List.of("--self-calibrate", "64");
        JsonNode local = analyze(model, options, null, "remote-local");
        run(uri, options, "local[2]", "remote-spark", 0);
        JsonNode remote = JSON.readTree(tmp.resolve("remote-spark.json").toFile());
        assertEquals(uri, remote.path("model").path("path").asText());
        assertEquals(withoutLocation(withoutTimings(local)), withoutLocation(withoutTimings(remote)));
    }

    /** The mirror holds headers only (sparse shards of the real length) and is deleted on close. */
    @Test
    void aRemoteModelMirrorsHeadersOnly() throws Exception {
        Path model = tmp.resolve("mirrored");
        SyntheticModel.write(SyntheticModel.qwen3().withMaxShardBytes(300_000), model);
        Path mirror;
        try (HadoopModel m = HadoopModel.open("swantest://" + model.toAbsolutePath(), java.util.Map.of())) {
            mirror = m.path();
            assertEquals("swantest://" + model.toAbsolutePath(), m.location());
            for (Path shard : m.shardFiles()) {
                Path source = model.resolve(shard.getFileName().toString());
                assertEquals(Files.size(source), Files.size(shard));
                assertEquals(Files.getLastModifiedTime(source).toMillis(), Files.getLastModifiedTime(shard).toMillis());
            }
            var t = m.tensors().get(m.tensors().size() - 1);
            float[] remote = new float[(int) t.numel()];
            float[] direct = new float[remote.length];
            m.stream(t).readFloats(0, remote, 0, remote.length);
            try (var local = dev.swan.toolkit.model.ModelFolder.open(model)) {
                local.stream(local.tensor(t.name())).readFloats(0, direct, 0, direct.length);
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(direct, remote);
            assertTrue(hasNonZero(remote), "real weights, not the mirror's zeros");
        }
        assertTrue(!Files.exists(mirror), "mirror deleted");
    }

    private static boolean hasNonZero(float[] a) {
        for (float v : a) if (v != 0) return true;
        return false;
    }

    /** A URI is refused in one line without --spark, and for a scheme no Hadoop file system reads. */
    @Test
    void uriMistakesAreOneLine() throws Exception {
        String noSpark = run("swantest:///nowhere/model", List.of(), null, "x", 2);
        assertTrue(noSpark.contains("a URI is read by the Spark job only (add --spark MASTER"), noSpark);
        String scheme = run("nosuchfs://host/model", List.of(), "local[2]", "y", 2);
        assertTrue(scheme.contains("nosuchfs://host/model: no Hadoop file system reads this URI"), scheme);
        String missing = run("swantest://" + tmp.resolve("absent"), List.of(), "local[2]", "z", 2);
        assertTrue(missing.contains("absent: no such folder"), missing);
    }

    private static JsonNode withoutLocation(JsonNode manifest) {
        ObjectNode m = manifest.deepCopy();
        ((ObjectNode) m.get("model")).remove("path");
        return m;
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
        return run(model.toString(), options, master, name, exit);
    }

    private String run(String model, List<String> options, String master, String name, int exit) throws Exception {
        Path out = tmp.resolve(name + ".json");
        List<String> args = new ArrayList<>(List.of("analyze", model, "-o", out.toString(), "-t", "2"));
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

    /**
     * The manifest without what a clock decides (when it was made, how long each step took) and the name of
     * its importance file (named after the manifest; its checksum stays compared).
     */
    private static JsonNode withoutTimings(JsonNode manifest) {
        ObjectNode m = manifest.deepCopy();
        m.remove("created");
        if (m.has("rounding_importance")) ((ObjectNode) m.get("rounding_importance")).remove("file");
        for (JsonNode t : m.withArray("tensors")) ((ObjectNode) t).remove("seconds");
        ObjectNode summary = (ObjectNode) m.get("summary");
        summary.remove("metric_seconds");
        summary.remove("analysis_seconds");
        return m;
    }
}
