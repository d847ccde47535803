package dev.swan.launcher.pipeline;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.swan.api.SensitivityMetric;
import dev.swan.api.model.ModelDir;
import dev.swan.testkit.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A heap too small for the largest tensor is refused before any work, naming it and a heap that will do. */
class HeapCheckTest {
    @TempDir
    Path tmp;

    @Test
    void namesTheLargestTensorAndAHeapSize() throws IOException {
        // zero data (sparse): the check reads shapes only
        SyntheticModel.write(SyntheticModel.llama().withSize(1024, 2816, 1, 16, 4, 64, 32000).withZeroData(true), tmp);
        // a metric that asks for sketches as the randomized SVD does: three 256-wide float matrices
        SensitivityMetric sketches = mock(SensitivityMetric.class);
        when(sketches.workingBytes(anyInt(), anyInt(), any())).thenAnswer(a -> 4L * ((int) a.getArgument(0)
                + (int) a.getArgument(1)) * 256 * 3);
        var metrics = java.util.List.of(new ResolvedPipeline.ResolvedMetric(sketches,
                dev.swan.api.Parameters.resolve("sketches", java.util.List.of(), java.util.Map.of(), "test"), 1));
        try (ModelDir m = ModelFolder.open(tmp)) {
            // embed_tokens 32000×1024: 131 MB of floats plus (32000 + 1024)·256·12 B of sketches
            HeapTooSmallException e = assertThrows(HeapTooSmallException.class, () -> AnalysisEngine.checkHeap(m, 200L << 20, metrics));
            assertTrue(e.getMessage().startsWith("model.embed_tokens.weight needs about ")
                    && e.getMessage().contains("SWAN_JAVA_OPTS=-Xmx1g"), e.getMessage());
            AnalysisEngine.checkHeap(m, 1L << 30, metrics);
            AnalysisEngine.checkHeap(m, 200L << 20, java.util.List.of()); // the float copy alone fits
        }
    }

    /** A metric that throws is reported as that plugin's failure, naming it and the tensor; nothing else breaks. */
    @Test
    void aFailingMetricIsNamedWithTheTensor() throws IOException {
        SyntheticModel.write(SyntheticModel.llama(), tmp);
        SensitivityMetric bad = mock(SensitivityMetric.class);
        when(bad.id()).thenReturn("bad");
        when(bad.measureRows(any(), any())).thenThrow(new IllegalStateException("boom"));
        var metrics = java.util.List.of(new ResolvedPipeline.ResolvedMetric(bad,
                dev.swan.api.Parameters.resolve("bad", java.util.List.of(), java.util.Map.of(), "test"), 1));
        try (ModelDir m = ModelFolder.open(tmp); AnalysisEngine engine = new AnalysisEngine(metrics, java.util.List.of(), 1, 1, 1L << 30)) {
            var t = m.find("model.layers.0.self_attn.q_proj.weight").orElseThrow();
            dev.swan.api.PluginException e = assertThrows(dev.swan.api.PluginException.class,
                    () -> engine.measure(m, t, dev.swan.api.AnalysisShape.of(t)));
            assertTrue(e.getMessage().contains("bad") && e.getMessage().contains(t.name()) && e.getMessage().contains("boom"),
                    e.getMessage());
        }
    }
}
