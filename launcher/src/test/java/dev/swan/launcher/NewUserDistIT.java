package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.swan.testkit.SyntheticModel;
import dev.swan.testkit.SharedModels;
import dev.swan.api.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The new-user cases that need the real launcher script and a real process: environment, signals, stderr. */
class NewUserDistIT {
    @TempDir
    Path tmp;

    /** -q: no JVM incubator line, the error still one line, the exit status kept; --help needs no Vector API. */
    @Test
    void quietMeansQuiet() throws Exception {
        String model = SharedModels.model("stories260K").toString();
        Path out = tmp.resolve("o");
        Result ok = run(Map.of(), "quantize", model, "-o", out.toString(), "--uniform", "4", "-q");
        assertEquals(0, ok.exit, ok.toString());
        assertEquals("", ok.err, "nothing on stderr with -q");
        assertTrue(ok.out.startsWith("Wrote "), "no escape sequence or warning before the output: " + ok.out);
        Result again = run(Map.of(), "quantize", model, "-o", out.toString(), "--uniform", "4", "-q");
        assertEquals(1, again.exit, again.toString());
        assertEquals(1, again.err.lines().count(), again.err);
        assertTrue(again.err.startsWith("swan: ") && again.err.contains("already exists"), again.err);
        Result help = run(Map.of(), "quantize", "--help");
        assertEquals(0, help.exit);
        assertFalse(help.err.contains("incubator"), help.err);
    }

    /**
     * The script's model-size look-up survives a dangling link in the model folder (it printed a shell error
     * before), and an empty -o is refused rather than taken for the current folder.
     */
    @Test
    void oddPathsGetOneCleanLine() throws Exception {
        Path model = tmp.resolve("m");
        Files.createDirectories(model);
        try (var files = Files.list(SharedModels.model("stories260K"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, model.resolve(f.getFileName()));
        }
        Files.createSymbolicLink(model.resolve("dangling"), tmp.resolve("nowhere"));
        Result ok = run(Map.of(), "quantize", model.toString(), "-o", tmp.resolve("x").toString(), "--uniform", "4", "-q");
        assertEquals(0, ok.exit, ok.toString());
        assertEquals("", ok.err, ok.toString());
        Result empty = run(Map.of(), "quantize", model.toString(), "-o", "", "--uniform", "4", "-q");
        assertEquals(2, empty.exit, empty.toString());
        assertTrue(empty.err.strip().lines().count() == 1 && empty.err.contains("empty path"), empty.err);
    }

    /** A Hugging Face id is found in the local hub cache (HF_HUB_CACHE), laid out as huggingface_hub writes it. */
    @Test
    void huggingFaceIdsResolveInTheLocalCache() throws Exception {
        Path cache = tmp.resolve("hub");
        Path repo = cache.resolve("models--karpathy--stories260K");
        Path snapshot = repo.resolve("snapshots/0123456789abcdef0123456789abcdef01234567");
        Files.createDirectories(snapshot);
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "0123456789abcdef0123456789abcdef01234567");
        try (var files = Files.list(SharedModels.model("stories260K"))) {
            int i = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                Path blob = repo.resolve("blobs/blob" + i++);
                Files.copy(f, blob);
                Files.createSymbolicLink(snapshot.resolve(f.getFileName()), Path.of("../../blobs", blob.getFileName().toString()));
            }
        }
        Map<String, String> env = Map.of("HF_HUB_CACHE", cache.toString());
        Result inspect = run(env, "inspect", "karpathy/stories260K");
        assertEquals(0, inspect.exit, inspect.toString());
        assertTrue(inspect.out.contains(snapshot.toString()), inspect.out);
        Result q = run(env, "quantize", "karpathy/stories260K", "--uniform", "4", "-q");
        assertEquals(0, q.exit, q.toString());
        assertTrue(Files.isDirectory(tmp.resolve("stories260K-swan-mlx")), "named after the model, not its snapshot hash");
        Result missing = run(Map.of("HF_HUB_CACHE", cache.toString(), "HF_HUB_OFFLINE", "1"), "inspect", "karpathy/stories15M");
        assertEquals(1, missing.exit, missing.toString());
        assertTrue(missing.err.contains("not in the Hugging Face cache " + cache) && missing.err.contains("HF_HUB_OFFLINE"),
                missing.err);
    }

    /**
     * A hub id not in the cache is downloaded (from HF_ENDPOINT, into HF_HUB_CACHE's layout) and quantized in one
     * command, as mlx_lm.convert --hf-path does; the next command finds it complete and asks the hub nothing.
     */
    @Test
    void aModelIdIsDownloadedThenQuantized() throws Exception {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        try (var listing = Files.list(SharedModels.model("stories260K"))) {
            for (Path f : (Iterable<Path>) listing.sorted()::iterator) files.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        Path cache = tmp.resolve("hub-cache");
        try (dev.swan.launcher.hub.FakeHub hub = new dev.swan.launcher.hub.FakeHub(files)) {
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_CACHE", cache.toString());
            Result q = run(env, "quantize", "acme/tiny", "--uniform", "4", "-q");
            assertEquals(0, q.exit, q.toString());
            assertTrue(Files.isDirectory(tmp.resolve("tiny-swan-mlx")), "named after the model");
            Path snapshot = cache.resolve("models--acme--tiny/snapshots/" + dev.swan.launcher.hub.FakeHub.COMMIT);
            assertTrue(Files.isSymbolicLink(snapshot.resolve("model.safetensors")));
            assertFalse(Files.exists(snapshot.resolve("tok.bin")), "only what a conversion reads");
            int asked = hub.requests().size();
            Result inspect = run(env, "inspect", "acme/tiny");
            assertEquals(0, inspect.exit, inspect.toString());
            assertEquals(asked, hub.requests().size(), "complete in the cache: no request");
        }
    }

    /** An interrupted analysis says what it kept; the re-run says it resumed. */
    @Test
    void interruptAndResumeAreAnnounced() throws Exception {
        Path model = tmp.resolve("m");
        SyntheticModel.write(SyntheticModel.llama().withSize(768, 2048, 4, 12, 4, 64, 2048).withDtype(DType.BF16), model);
        Path manifest = tmp.resolve("m.json");
        Path journal = tmp.resolve("m.json.partial");
        List<String> cmd = List.of(Dist.home().resolve("bin/swan").toString(), "analyze", model.toString(), "-o",
                manifest.toString(), "--self-calibrate", "0", "-t", "1");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("HOME", tmp.toString());
        Path err = tmp.resolve("err.txt");
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(err.toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(journal) || Files.readAllLines(journal).size() < 3) {
            if (!p.isAlive()) fail("the analysis ended before it could be interrupted: " + Files.readString(err));
            if (System.nanoTime() > deadline) fail("no tensor measured within 120 s");
            Thread.sleep(20);
        }
        p.destroy(); // SIGTERM; Ctrl-C's SIGINT runs the same shutdown hooks
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String said = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(said.contains("interrupted:") && said.contains("tensors measured are kept in " + journal)
                && said.contains("run the same command again to resume"), said);
        Result resumed = run(Map.of(), "analyze", model.toString(), "-o", manifest.toString(), "--self-calibrate", "0", "-q");
        assertEquals(0, resumed.exit, resumed.toString());
        assertTrue(resumed.out.contains("Resuming an interrupted run: "), resumed.out);
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    private Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Dist.home().resolve("bin/swan").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("HOME", tmp.toString());
        pb.environment().remove("HF_HUB_CACHE");
        pb.environment().remove("HF_HOME");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("swan " + args[0] + " timed out");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
