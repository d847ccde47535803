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

    PhaseLines(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    @Override
    public synchronized ProgressSink start(String phase) {
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

    /** "Time: analyze 41.2 s, self-calibrate: text 1m10s, ..." for the phases that ran (empty if none). */
    synchronized String timings() {
        if (seconds.isEmpty()) return "";
        List<String> parts = new ArrayList<>();
        seconds.forEach((phase, s) -> parts.add(phase + " " + Format.duration(s)));
        return "Time: " + String.join(", ", parts);
    }
}
