package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.tensor.DType;
import dev.swan.testkit.SyntheticModel;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heap bin/swan gives analyze and quantize comes from the model's largest block-by-block working set. */
class HeapAdviceTest {
    @TempDir
    Path tmp;

    @Test
    void aQwen3_8bShapedModelGetsAHeapThatKeepsItUnderTwoGigabytes() throws Exception {
        // headers over sparse zeros: the advice reads shapes only
        SyntheticModel.write(SyntheticModel.qwen3().withSize(4096, 12288, 36, 32, 8, 128, 151936).withDtype(DType.BF16)
                .withTied(false, false).withMaxShardBytes(4_000_000_000L).withZeroData(true), tmp);
        String flags = HeapAdvice.advise(new String[] {"quantize", tmp.toString(), "-f", "gguf", "-t", "2"}, 24L << 30);
        Matcher m = Pattern.compile("-Xmx(\\d+)m -Xmn(\\d+)m").matcher(flags);
        assertTrue(m.matches(), flags);
        long heapMb = Long.parseLong(m.group(1));
        // the embedding's sketches (about 200 MiB streamed) times three per thread, plus the base
        assertTrue(heapMb >= 1024 && heapMb <= 1536, flags);
        assertEquals(heapMb * 2 / 5, Long.parseLong(m.group(2)));
        // more threads, more heap; never more than half the machine
        String many = HeapAdvice.advise(new String[] {"analyze", tmp.toString(), "--threads=64"}, 8L << 30);
        assertEquals("-Xmx4096m -Xmn1638m", many);
    }

    @Test
    void noModelNoAdvice() {
        assertEquals("", HeapAdvice.advise(new String[] {"quantize", tmp.resolve("missing").toString()}, 24L << 30));
        assertEquals("", HeapAdvice.advise(new String[] {"inspect", tmp.toString()}, 24L << 30));
        assertEquals("", HeapAdvice.advise(new String[0], 24L << 30));
    }

    @Test
    void heapIsBoundedBelowAndAbove() {
        assertEquals(512L << 20, HeapAdvice.heap(1 << 20, 1, 24L << 30));
        assertEquals(4L << 30, HeapAdvice.heap(1L << 30, 64, 8L << 30));
        assertEquals(256 + 3 * 2 * 200 + 16, HeapAdvice.heap(200L << 20, 2, 24L << 30) >> 20); // rounded up to 64 MiB
    }
}
