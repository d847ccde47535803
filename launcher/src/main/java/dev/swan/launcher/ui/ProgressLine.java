package dev.swan.launcher.ui;

import dev.swan.api.ProgressSink;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long phase, in units of work (bytes, weights, operations: the ETA is the elapsed time per
 * unit times the units left). On a terminal: one line ("analyze 24% model.layers.1.mlp.up_proj.weight
 * 3.2 s, ETA 9.1 s") redrawn in place at most every 100 ms. Otherwise (a log file, a batch job, CI): a
 * plain line every {@link #LOG_EVERY_SECONDS} seconds once a phase has run that long, so short runs stay
 * silent and hour-long ones still show they are alive. Thread-safe.
 */
public final class ProgressLine implements ProgressSink {
    static final long LOG_EVERY_SECONDS = 30;

    /** How progress is shown. */
    enum Mode { REDRAW, LOG, OFF }

    private final PrintStream out;
    private final String phase;
    private final Mode mode;
    private final LongSupplier clock;
    private final long start;
    private final Pace pace;
    private long lastDraw;
    private int lastWidth;

    ProgressLine(PrintStream out, String phase, Mode mode, LongSupplier nanoClock) {
        this.out = out;
        this.phase = phase;
        this.mode = mode;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.pace = new Pace(start);
        this.lastDraw = start;
    }

    /** Redrawn on a console, logged now and then otherwise, nothing with {@code --quiet}. */
    public static ProgressLine forTerminal(PrintStream out, String phase, boolean quiet) {
        Mode mode = quiet ? Mode.OFF : System.console() != null ? Mode.REDRAW : Mode.LOG;
        return new ProgressLine(out, phase, mode, System::nanoTime);
    }

    @Override
    public synchronized void update(long done, long total, String item) {
        if (mode == Mode.OFF) return;
        long now = clock.getAsLong();
        double elapsed = (now - start) / 1e9;
        pace.add(now, done);
        String eta = done > 0 && total > done ? ", ETA " + Format.duration(pace.secondsLeft(now, done, total)) : "";
        if (mode == Mode.LOG) {
            if (now - lastDraw < LOG_EVERY_SECONDS * 1_000_000_000L) return;
            lastDraw = now;
            out.println(String.format(Locale.ROOT, "%s: %d%%, %s elapsed%s, at %s", phase, percent(done, total),
                    Format.duration(elapsed), eta, item == null ? "" : item));
            out.flush();
            return;
        }
        if (now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        String name = item == null ? "" : item;
        if (name.length() > 60) name = "…" + name.substring(name.length() - 59);
        String line = String.format(Locale.ROOT, "%s %d%% %s  %s%s", phase, percent(done, total), name,
                Format.duration(elapsed), eta);
        int pad = Math.max(0, lastWidth - line.length());
        out.print("\r" + line + " ".repeat(pad));
        lastWidth = line.length();
        out.flush();
    }

    /** Done as a share of the work (units are the caller's: bytes, weights, operations). */
    private static long percent(long done, long total) {
        return total > 0 ? (long) Math.floor(100.0 * done / total) : 0;
    }

    /** Clears the line (call when done, before printing results). */
    public synchronized void finish() {
        if (mode != Mode.REDRAW || lastWidth == 0) return;
        out.print("\r" + " ".repeat(lastWidth) + "\r");
        out.flush();
        lastWidth = 0;
    }
}
