package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swan generate}: greedy and seeded sampling from any model swan reads, and its one-line refusals. */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    /** The sample stories260K's authors published, greedy from BOS, from the F32 folder and from a Q8_0 GGUF. */
    static final String SAMPLE = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

    @Test
    void greedyFromBosReproducesThePublishedSample() {
        String model = SharedModels.model("stories260K").toString();
        Cli f32 = Cli.run("generate", model, "-n", "40");
        assertEquals(0, f32.exit(), f32.toString());
        assertTrue(f32.out().startsWith(SAMPLE), f32.out());
        assertTrue(f32.err().contains("tokens/s"), f32.err());
        Path q8 = tmp.resolve("q8.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", q8.toString(), "--uniform", "Q8_0", "-q").exit());
        Cli gguf = Cli.run("generate", q8.toString(), "-n", "40");
        assertEquals(0, gguf.exit(), gguf.toString());
        assertTrue(gguf.out().startsWith(SAMPLE), gguf.out());
    }

    @Test
    void samplingIsSeeded() {
        String model = SharedModels.model("stories260K").toString();
        String[] args = {"generate", model, "-p", "Tom had a dog.", "-n", "30", "--temperature", "0.9", "--top-p", "0.95", "-q"};
        Cli a = Cli.run(concat(args, "--seed", "1"));
        Cli b = Cli.run(concat(args, "--seed", "1"));
        Cli c = Cli.run(concat(args, "--seed", "2"));
        assertEquals(0, a.exit(), a.toString());
        assertTrue(a.out().startsWith("Tom had a dog."), a.out());
        assertEquals(a.out(), b.out(), "same seed, same text");
        assertNotEquals(a.out(), c.out(), "another seed, another text");
    }

    @Test
    void badSettingsAreRefusedInOneLine() {
        String model = SharedModels.model("stories260K").toString();
        Cli t = Cli.run("generate", model, "--temperature", "-1");
        assertTrue(t.exit() != 0 && t.err().contains("--temperature must be 0 (greedy) or more"), t.err());
        Cli long_ = Cli.run("generate", model, "-p", "the dog ran. ".repeat(400));
        assertTrue(long_.exit() != 0 && long_.err().contains("shorten it"), long_.err());
        for (Cli c : new Cli[] {t, long_}) {
            assertTrue(c.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count() <= 2, c.err());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
