package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.launcher.pipeline.OutputKind;
import dev.swan.testkit.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --force} replaces only an earlier output of the same kind, as a swap: what swan did not write is
 * refused and left as it was, {@code dir/../dir} names dir throughout, a failed move-in puts the old output
 * back, and no lock file outlives its run.
 */
class ForceReplaceTest {
    @TempDir
    Path tmp;
    Path model;

    @BeforeEach
    void model() throws IOException {
        model = tmp.resolve("M");
        SyntheticModel.write(SyntheticModel.llama(), model);
    }

    @Test
    void aFolderSwanDidNotWriteIsRefusedAndKept() throws IOException {
        Path precious = Files.createDirectory(tmp.resolve("precious"));
        Files.writeString(precious.resolve("notes.txt"), "keep");
        for (String format : new String[] {"mlx", "gguf"}) {
            Cli r = Cli.run("quantize", model.toString(), "-o", precious.toString(), "-f", format, "--uniform", "8", "--force");
            assertEquals(1, r.exit(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("notes.txt") && r.err().contains("--force replaces only"), r.err());
            assertEquals("keep", Files.readString(precious.resolve("notes.txt")));
            assertEquals(1, count(precious), "nothing added");
        }
        assertEquals(Set.of("M", "precious"), names(tmp), "no temporary, lock or old copy left");
    }

    @Test
    void dotDotPathsNameTheSameOutputThroughTheSwap() throws IOException {
        // the case: p2/../p2 holding a foreign file is refused, not deleted
        Path p2 = Files.createDirectory(tmp.resolve("p2"));
        Files.writeString(p2.resolve("notes.txt"), "x");
        Cli refused = Cli.run("quantize", model.toString(), "-o", tmp.resolve("p2/../p2").toString(), "-f", "gguf",
                "--uniform", "Q8_0", "--force");
        assertEquals(1, refused.exit(), refused.toString());
        assertEquals("x", Files.readString(p2.resolve("notes.txt")));
        // an earlier MLX output at x, replaced through x/../x: the new one is in place
        Path x = tmp.resolve("x");
        assertEquals(0, Cli.run("quantize", model.toString(), "-o", x.toString(), "--uniform", "8").exit());
        Cli again = Cli.run("quantize", model.toString(), "-o", tmp.resolve("x/../x").toString(), "--uniform", "4", "--force");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(Files.readString(x.resolve("config.json")).contains("\"bits\" : 4")
                || Files.readString(x.resolve("config.json")).contains("\"bits\": 4"), "the 4-bit output replaced the 8-bit one");
        // and a GGUF file through sub/../out.gguf
        Files.createDirectory(tmp.resolve("sub"));
        assertEquals(0, Cli.run("quantize", model.toString(), "-o", tmp.resolve("out.gguf").toString(), "--uniform", "Q8_0").exit());
        long q8 = Files.size(tmp.resolve("out.gguf"));
        Cli gguf = Cli.run("quantize", model.toString(), "-o", tmp.resolve("sub/../out.gguf").toString(), "--uniform", "Q4_0", "--force");
        assertEquals(0, gguf.exit(), gguf.toString());
        assertTrue(Files.size(tmp.resolve("out.gguf")) < q8, "replaced by the smaller Q4_0 file");
        assertEquals(Set.of("M", "p2", "x", "sub", "out.gguf"), names(tmp), "no temporary, lock or old copy left");
    }

    @Test
    void anEmptyFolderAndEarlierOutputsOfTheSameKindAreReplaced() throws IOException {
        Files.createDirectory(tmp.resolve("empty"));
        Cli r = Cli.run("quantize", model.toString(), "-o", tmp.resolve("empty").toString(), "--uniform", "8", "--force");
        assertEquals(0, r.exit(), r.toString());
        Path m = tmp.resolve("m.json");
        assertEquals(0, Cli.run("analyze", model.toString(), "-o", m.toString(), "--self-calibrate", "0").exit());
        assertEquals(0, Cli.run("analyze", model.toString(), "-o", m.toString(), "--self-calibrate", "0", "--force").exit());
        // a manifest is not a GGUF file, a GGUF file not a manifest or a report
        Cli wrongKind = Cli.run("quantize", model.toString(), "-o", m.toString(), "-f", "gguf", "--uniform", "Q8_0", "--force");
        assertEquals(1, wrongKind.exit(), wrongKind.toString());
        assertTrue(wrongKind.err().contains("is not a model written as gguf"), wrongKind.err());
        Path g = tmp.resolve("g.gguf");
        assertEquals(0, Cli.run("quantize", model.toString(), "-o", g.toString(), "--uniform", "Q8_0").exit());
        byte[] gguf = Files.readAllBytes(g);
        assertEquals(1, Cli.run("analyze", model.toString(), "-o", g.toString(), "--force").exit());
        assertEquals(1, Cli.run("report", m.toString(), "-o", g.toString(), "--force").exit());
        assertTrue(java.util.Arrays.equals(gguf, Files.readAllBytes(g)), "the GGUF file is untouched");
    }

    @Test
    void evalResultsAreNotReplacedWithoutForce() throws IOException {
        Path ids = Files.writeString(tmp.resolve("ids.txt"), "1 5 9 12 40 3 7 8 2 11 30 31 4 6 10 13");
        Path results = tmp.resolve("results.json");
        Files.writeString(results, "mine");
        Cli r = Cli.run("eval", model.toString(), "--ids", ids.toString(), "--ctx", "8", "-o", results.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("already exists"), r.err());
        assertEquals("mine", Files.readString(results));
        assertEquals(1, Cli.run("eval", model.toString(), "--ids", ids.toString(), "--ctx", "8", "-o", results.toString(), "--force").exit(),
                "not a results file: refused with --force too");
        Files.delete(results);
        assertEquals(0, Cli.run("eval", model.toString(), "--ids", ids.toString(), "--ctx", "8", "-o", results.toString()).exit());
        Cli forced = Cli.run("eval", model.toString(), "--ids", ids.toString(), "--ctx", "8", "-o", results.toString(), "--force");
        assertEquals(0, forced.exit(), forced.toString());
    }

    @Test
    void aFailedMoveInPutsTheOldOutputBack() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("out"));
        Files.writeString(target.resolve("config.json"), "old");
        Path missingTmp = tmp.resolve(".out.swan-tmp");
        assertThrows(IOException.class, () -> AtomicOutput.commit(missingTmp, target));
        assertEquals("old", Files.readString(target.resolve("config.json")));
        assertFalse(Files.exists(tmp.resolve(".out.swan-old")));
    }

    @Test
    void aSwapStoppedHalfWayIsUndoneByTheNextRun() throws IOException {
        // killed after the old output was moved aside and before the new one was moved in
        Path old = Files.createDirectory(tmp.resolve(".out.swan-old"));
        Files.writeString(old.resolve("notes.txt"), "keep");
        Path target = tmp.resolve("out");
        assertThrows(dev.swan.api.OutputException.class, () -> AtomicOutput.prepare(target, null, false, OutputKind.REPORT));
        assertEquals("keep", Files.readString(target.resolve("notes.txt")));
        assertFalse(Files.exists(old));
    }

    @Test
    void theLockFileGoesWithItsLock() throws IOException {
        Path target = tmp.resolve("out.gguf");
        try (AtomicOutput.Lock lock = AtomicOutput.lock(target)) {
            assertTrue(Files.exists(tmp.resolve(".out.gguf.swan-lock")));
            assertThrows(dev.swan.api.OutputException.class, () -> AtomicOutput.lock(tmp.resolve("sub/../out.gguf")),
                    "the same output under another spelling is the same lock");
        }
        assertFalse(Files.exists(tmp.resolve(".out.gguf.swan-lock")));
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static java.util.Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
