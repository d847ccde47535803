package dev.swan.launcher.cli;

import dev.swan.api.ProgressSink;
import dev.swan.launcher.pipeline.Phases;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.ProgressLine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One progress line per phase on the terminal (none with {@code quiet}), and how long each phase took. */
final class PhaseLines implements Phases {
    private final PrintStream out;
    private final boolean quiet;
    private final Map<String, ProgressLine> lines = new LinkedHashMap<>();
    private final Map<String, Long> started = new LinkedHashMap<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    PhaseLines(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /**
     * A line printed when the work begins (the first phase starts), not before: a run refused for its output
     * or its options prints only the refusal.
     */
    synchronized void announce(String line) {
        notes.add(line);
    }

    @Override
    public synchronized ProgressSink start(String phase) {
        notes.forEach(out::println);
        notes.clear();
        ProgressLine line = ProgressLine.forTerminal(out, phase, quiet);
        lines.put(phase, line);
        started.put(phase, System.nanoTime());
        return line;
    }

    @Override
    public synchronized void end(String phase) {
        ProgressLine line = lines.remove(phase);
        if (line != null) line.finish();
        Long t0 = started.remove(phase);
        if (t0 != null) seconds.merge(phase, (System.nanoTime() - t0) / 1e9, Double::sum);
    }

    /** The phase running now, or null between phases. */
    synchronized String current() {
        return started.isEmpty() ? null : started.keySet().iterator().next();
    }

    /**
     * Until {@link Interruption#close}, a stop (Ctrl-C, kill) prints one line naming the phase it stopped and
     * what was kept: nothing is written to the output (its temporary sibling is removed), and measurements
     * already journaled are kept for the same command to resume.
     */
    Interruption onInterrupt(PrintStream err, String output, String kept) {
        Thread hook = new Thread(() -> {
            String phase = current();
            if (Phases.ANALYZE.equals(phase)) return; // the analysis prints its own notice: how many tensors are kept
            err.println();
            err.println("swan: interrupted" + (phase == null ? "" : " during " + phase) + ": nothing was written to "
                    + output + (kept == null ? "" : "; " + kept));
            err.flush();
        }, "swan-interrupt-notice");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException stopping) {
                // the JVM is stopping: the notice prints
            }
        };
    }

    /** Ends the notice of {@link #onInterrupt}. */
    interface Interruption extends AutoCloseable {
        @Override
        void close();
    }

    /** "Time: analyze 41.2 s, self-calibrate: text 1m10s, ..." for the phases that ran (empty if none). */
    synchronized String timings() {
        if (seconds.isEmpty()) return "";
        List<String> parts = new ArrayList<>();
        seconds.forEach((phase, s) -> parts.add(phase + " " + Format.duration(s)));
        return "Time: " + String.join(", ", parts);
    }
}
