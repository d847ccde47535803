package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A quantize stopped mid-write (kill, Ctrl-C) leaves neither the output, its temporary sibling nor its lock file. */
class InterruptedWriteIT {
    @TempDir
    Path tmp;

    @Test
    void killedWriteLeavesNothingBehind() throws Exception {
        Path model = tmp.resolve("m");
        // 2.2 GB of (sparse) zeros: long enough to be caught writing
        SyntheticModel.write(SyntheticModel.llama().withSize(2048, 5632, 24, 32, 8, 64, 32000).withDtype(DType.BF16)
                .withZeroData(true), model);
        Path out = tmp.resolve("out");
        Path temp = tmp.resolve(".out.swan-tmp");
        ProcessBuilder pb = new ProcessBuilder(List.of(Dist.home().resolve("bin/swan").toString(), "quantize",
                model.toString(), "-o", out.toString(), "--uniform", "4", "-q")).directory(tmp.toFile());
        pb.environment().put("HOME", tmp.toString());
        pb.redirectOutput(tmp.resolve("stdout.txt").toFile()).redirectError(tmp.resolve("stderr.txt").toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!writing(temp)) {
            if (!p.isAlive()) fail("the write ended before it could be interrupted: " + Files.readString(tmp.resolve("stderr.txt")));
            if (System.nanoTime() > deadline) fail("no write started within 60 s");
            Thread.sleep(20);
        }
        p.destroy(); // SIGTERM: what kill and a closing terminal send; Ctrl-C's SIGINT runs the same hooks
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped");
        assertFalse(Files.exists(temp), "temporary output removed");
        assertFalse(Files.exists(out), "no output");
        assertFalse(Files.exists(tmp.resolve(".out.swan-lock")), "lock file removed");
        String err = Files.readString(tmp.resolve("stderr.txt"));
        assertTrue(err.contains("swan: interrupted during write: nothing was written to " + out), "says what it stopped: " + err);
    }

    private static boolean writing(Path temp) throws Exception {
        if (!Files.isDirectory(temp)) return false;
        try (var files = Files.list(temp)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".safetensors"));
        }
    }
}
