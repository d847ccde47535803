package dev.swan.launcher.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final long S = 1_000_000_000L;

    @Test
    void logsEveryThirtySecondsWithoutATerminalAndNothingForShortRuns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressLine p = new ProgressLine(new PrintStream(buf, true, StandardCharsets.UTF_8), "analyze",
                ProgressLine.Mode.LOG, now::get);
        for (int i = 1; i <= 29; i++) {
            now.set(i * S);
            p.update(i, 100, "t" + i);
        }
        assertEquals("", buf.toString(StandardCharsets.UTF_8), "a short phase stays silent");
        now.set(30 * S);
        p.update(30, 100, "model.layers.3.mlp.up_proj.weight");
        now.set(45 * S);
        p.update(45, 100, "x");
        now.set(61 * S);
        p.update(61, 100, "y");
        p.finish();
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, buf.toString(StandardCharsets.UTF_8));
        assertEquals("analyze: 30%, 30.0 s elapsed, ETA 1m10s, at model.layers.3.mlp.up_proj.weight", lines[0]);
        assertTrue(lines[1].startsWith("analyze: 61%") && !lines[1].contains("\r"), lines[1]);
    }

    @Test
    void redrawsInPlaceOnATerminalAndClearsWhenDone() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressLine p = new ProgressLine(new PrintStream(buf, true, StandardCharsets.UTF_8), "write",
                ProgressLine.Mode.REDRAW, now::get);
        now.set(S);
        p.update(1, 4, "a");
        now.set(2 * S);
        p.update(2, 4, "b");
        p.finish();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\rwrite 25% a") && out.contains("\rwrite 50% b") && !out.contains("\n"), out);
        assertTrue(out.endsWith("\r"), "cleared");
    }

    @Test
    void quietShowsNothing() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressLine p = new ProgressLine(new PrintStream(buf, true, StandardCharsets.UTF_8), "write",
                ProgressLine.Mode.OFF, now::get);
        now.set(100 * S);
        p.update(1, 2, "a");
        assertEquals("", buf.toString(StandardCharsets.UTF_8));
    }
}
