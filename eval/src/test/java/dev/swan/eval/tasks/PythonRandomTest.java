package dev.swan.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The numbers CPython 3.11 prints for the same calls (python3 -c "import random; ..."). */
class PythonRandomTest {
    @Test
    void samplesAsCPythonDoes() {
        PythonRandom r = new PythonRandom(1234);
        // random.Random(1234).sample(range(1119), 25): ARC-Challenge's training split, 25-shot (set-based branch)
        assertArrayEquals(new int[] {902, 239, 15, 185, 71, 171, 201, 726, 484, 35, 63, 32, 708, 991, 949, 304, 186, 374, 234, 29,
            1030, 996, 511, 132, 1108}, r.sample(1119, 25));
        int[] second = r.sample(1119, 25);
        assertArrayEquals(new int[] {954, 140, 182, 1054, 94}, java.util.Arrays.copyOf(second, 5), "the same generator goes on");
        r = new PythonRandom(1234);
        assertArrayEquals(new int[] {24, 14, 3, 0, 2, 18, 1, 21, 25, 27}, r.sample(30, 10), "pool branch (n <= setsize)");
        assertEquals(3292010550L, r.bits(32));
        assertEquals(45, r.bits(7));
        // a seed wider than 32 bits: init_by_array with two words
        assertArrayEquals(new int[] {33055, 33876, 17603, 1797, 34796, 3053, 10843, 5211, 8772, 15661},
                new PythonRandom((1L << 40) + 5).sample(39905, 10));
    }
}
