package dev.swan.launcher.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PaceTest {
    private static final long S = 1_000_000_000L;

    /** A slow start (JIT warm-up) does not stretch the estimate once the steady pace has taken over. */
    @Test
    void aSlowStartIsForgotten() {
        Pace p = new Pace(0);
        p.add(10 * S, 10); // 1 s per unit for the first 10 units
        long t = 10 * S;
        for (long done = 11; done <= 100; done++) {
            t += S / 10; // then 0.1 s per unit
            p.add(t, done);
        }
        assertEquals(900 * 0.1, p.secondsLeft(t, 100, 1000), 1e-9);
        Pace fromStart = new Pace(0);
        fromStart.add(t, 100);
        assertEquals(19.0 * 900 / 100, fromStart.secondsLeft(t, 100, 1000), 1e-9, "one sample: the pace since the start");
    }

    /** Thousands of updates keep a bounded history and the same estimate for an even pace. */
    @Test
    void aLongPhaseKeepsABoundedHistory() {
        Pace p = new Pace(0);
        for (long done = 1; done <= 100_000; done++) p.add(done * S / 1000, done);
        assertEquals(100.0, p.secondsLeft(100 * S, 100_000, 200_000), 1e-6);
        p.add(101 * S, 100_000); // no progress: ignored
        assertEquals(100.0, p.secondsLeft(100 * S, 100_000, 200_000), 1e-6);
    }
}
