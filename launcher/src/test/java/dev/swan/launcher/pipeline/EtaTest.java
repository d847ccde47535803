package dev.swan.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Pace;
import dev.swan.testkit.SharedModels;
import dev.swan.toolkit.model.ModelFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ETA a progress line shows is within a small factor of the time the phase really took to finish, on
 * a real model's default run in a fresh JVM: checked from a quarter of a phase's work done to three
 * quarters, wherever at least a second is left (a fraction of a second left is shown as such whatever the
 * estimate, and there the JIT's warm-up still dominates the pace). Within a factor of two and a half: these
 * phases last two to six seconds, and the estimates a quarter in (a few tensors' pace) were off by 2.0-2.2
 * on CI's machine; the errors this guards against (a tensor count or bytes as the unit) are 3-10.
 */
class EtaTest {
    @TempDir
    Path tmp;

    /** One progress update: when, and how much of how much. */
    private record Update(long nanos, long done, long total) {
    }

    private static final class Recorder implements Phases {
        final Map<String, List<Update>> updates = new LinkedHashMap<>();
        final Map<String, long[]> spans = new LinkedHashMap<>();

        @Override
        public synchronized ProgressSink start(String phase) {
            List<Update> list = new ArrayList<>();
            updates.put(phase, list);
            spans.put(phase, new long[] {System.nanoTime(), 0});
            return (done, total, item) -> {
                long now = System.nanoTime();
                synchronized (list) {
                    list.add(new Update(now, done, total));
                }
            };
        }

        @Override
        public synchronized void end(String phase) {
            spans.get(phase)[1] = System.nanoTime();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gguf", "mlx"})
    void etaIsWithinASmallFactorOfTheRealTime(String format) throws Exception {
        Path model = SharedModels.model("qwen3-gutenberg-4m");
        Recorder rec = new Recorder();
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, List.of(), false));
             ModelDir m = ModelFolder.open(model)) {
            PipelineSettings s = PipelineSettings.defaults().withModel(model).withFormat(format, Map.of()).withThreads(2);
            s = Baselines.withDefaultTarget(s, plugins, m);
            ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, true, true);
            new QuantizeService(new Pipeline(plugins)).run(new QuantizeService.Request(rp, m, tmp.resolve("out-" + format),
                    null, null, false, rp.settings().weights(), false, false, false, List.of(), 2, "test"), rec);
        }
        List<String> report = new ArrayList<>();
        boolean ok = true;
        int checked = 0;
        double worst = 1;
        for (Map.Entry<String, List<Update>> e : rec.updates.entrySet()) {
            long[] span = rec.spans.get(e.getKey());
            double phaseSeconds = (span[1] - span[0]) / 1e9;
            Pace pace = new Pace(span[0]);
            if (System.getProperty("swan.test.etaTrace") != null) {
                for (Update u : e.getValue()) System.out.printf(Locale.ROOT, "%s %.3f %.3f%n", e.getKey(), (u.nanos() - span[0]) / 1e9, (double) u.done() / u.total());
            }
            for (Update u : e.getValue()) {
                pace.add(u.nanos(), u.done());
                double share = (double) u.done() / u.total();
                if (share < 0.25 || share > 0.75) continue;
                double eta = pace.secondsLeft(u.nanos(), u.done(), u.total());
                double real = (span[1] - u.nanos()) / 1e9;
                if (real < 1.0) continue;
                double ratio = eta / real;
                checked++;
                worst = Math.max(worst, Math.max(ratio, 1 / ratio));
                if (ratio < 0.4 || ratio > 2.5) {
                    ok = false;
                    report.add(String.format(Locale.ROOT, "%s at %.0f%%: ETA %.2f s, took %.2f s", e.getKey(), 100 * share, eta, real));
                }
            }
            report.add(String.format(Locale.ROOT, "%s: %.2f s, %d updates", e.getKey(), phaseSeconds, e.getValue().size()));
        }
        System.out.println(format + ": " + checked + " estimates checked, worst factor " + String.format(Locale.ROOT, "%.2f", worst) + "; " + report);
        assertTrue(checked > 0, "some phase ran long enough to check: " + report);
        assertTrue(ok, report.toString());
    }
}
