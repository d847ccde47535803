package dev.swan.launcher.ui;

import dev.swan.api.ProgressSink;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display ("analyze 12/49 model.layers.1.mlp.up_proj.weight 3.2 s, ETA 9.1 s")
 * redrawn in place on a terminal at most every 100 ms; silent when output is not a terminal, so logs
 * and CI output stay clean. Thread-safe.
 */
public final class ProgressLine implements ProgressSink {
    private final PrintStream out;
    private final String phase;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastWidth;

    public ProgressLine(PrintStream out, String phase, boolean enabled) {
        this.out = out;
        this.phase = phase;
        this.enabled = enabled;
    }

    /** Enabled when a console is attached and {@code --quiet} was not given. */
    public static ProgressLine forTerminal(PrintStream out, String phase, boolean quiet) {
        return new ProgressLine(out, phase, !quiet && System.console() != null);
    }

    @Override
    public synchronized void update(long done, long total, String item) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        String eta = done > 0 && total > done
                ? ", ETA " + Format.duration(elapsed * (total - done) / done) : "";
        String name = item == null ? "" : item;
        if (name.length() > 60) name = "…" + name.substring(name.length() - 59);
        String line = String.format(Locale.ROOT, "%s %d/%d %s  %s%s", phase, done, total, name,
                Format.duration(elapsed), eta);
        int pad = Math.max(0, lastWidth - line.length());
        out.print("\r" + line + " ".repeat(pad));
        lastWidth = line.length();
        out.flush();
    }

    /** Clears the line (call when done, before printing results). */
    public synchronized void finish() {
        if (!enabled || lastWidth == 0) return;
        out.print("\r" + " ".repeat(lastWidth) + "\r");
        out.flush();
        lastWidth = 0;
    }
}
