package dev.swan.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.testkit.SyntheticModel;
import dev.swan.toolkit.model.ModelFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor too large for its worker's share of the memory budget is read block by block from the file
 * instead of copied whole; the analysis is the same to the last bit, for plain matrices over several
 * blocks and for a sampled 3-D expert stack.
 */
class StreamedAnalysisTest {
    @TempDir
    Path tmp;

    @Test
    void streamingEveryTensorChangesNoResult() throws Exception {
        // embed_tokens and lm_head 9000 x 640 (two blocks, randomized SVD), experts stored as [8, 96, 640] stacks
        SyntheticModel.write(SyntheticModel.qwen3Moe().withSize(640, 384, 1, 4, 2, 32, 9000)
                .withMoe(new SyntheticModel.Moe(8, 2, 96, 0, true)), tmp);
        PipelineSettings s = PipelineSettings.defaults().withThreads(2).withMetrics(List.of(
                new MetricChoice("svd", 0.2, Map.of("rank", 24, "power_iterations", 1)), new MetricChoice("kurtosis", 0.45, Map.of()),
                new MetricChoice("noise", 0.15, Map.of()), new MetricChoice("recon", 0.2, Map.of("measure_2bit", true))));
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, List.of(), false));
             ModelDir model = ModelFolder.open(tmp)) {
            ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, true, false);
            List<AnalysisEngine.Measured> whole = run(rp, model, 1L << 40);
            List<AnalysisEngine.Measured> streamed = run(rp, model, 1L << 20);
            assertEquals(whole.size(), streamed.size());
            int measured = 0;
            for (int i = 0; i < whole.size(); i++) {
                TensorAnalysis a = whole.get(i).analysis();
                TensorAnalysis b = streamed.get(i).analysis();
                assertEquals(a.name(), b.name());
                assertEquals(a.skipReason(), b.skipReason(), a.name());
                assertEquals(a.metrics(), b.metrics(), a.name());
                if (!a.metrics().isEmpty()) measured++;
            }
            assertTrue(measured > 5, "measured " + measured);
        }
    }

    private static List<AnalysisEngine.Measured> run(ResolvedPipeline rp, ModelDir model, long budget) {
        try (AnalysisEngine engine = new AnalysisEngine(rp.metrics(), List.of(), 42, 2, budget)) {
            return engine.analyze(model, Map.of(), m -> { }, ProgressSink.NONE);
        }
    }
}
