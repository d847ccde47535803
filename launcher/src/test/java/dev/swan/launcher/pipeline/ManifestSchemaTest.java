package dev.swan.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ConfigException;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.testkit.SyntheticModel;
import dev.swan.toolkit.model.ModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's typed schema: what is written reads back to the same manifest, and writes the same bytes. */
class ManifestSchemaTest {
    @TempDir
    Path tmp;

    @Test
    void aManifestReadsBackToTheSameBytes() throws Exception {
        Path model = tmp.resolve("model");
        SyntheticModel.write(SyntheticModel.qwen3(), model);
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, List.of(), false));
             ModelDir m = ModelFolder.open(model)) {
            PipelineSettings s = PipelineSettings.defaults().withModel(model).withAllocator("threshold", Map.of()).withThreads(2);
            ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, true, true);
            Pipeline pipeline = new Pipeline(plugins);
            Manifest first = pipeline.analyze(rp, m, null, false, ProgressSink.NONE);
            Summary summary = Summary.of(first, pipeline.sizers(m.config()));
            Path a = tmp.resolve("a.json");
            ManifestIO.write(a, first, summary);
            Manifest read = ManifestIO.read(a);
            Path b = tmp.resolve("b.json");
            ManifestIO.write(b, read, Summary.of(read, pipeline.sizers(m.config())));
            assertEquals(Files.readString(a), Files.readString(b));
            assertEquals(first.plan().decisions(), read.plan().decisions());
            for (int i = 0; i < first.tensors().size(); i++) {
                TensorAnalysis x = first.tensors().get(i);
                TensorAnalysis y = read.tensors().get(i);
                assertEquals(x.name(), y.name());
                assertEquals(x.tensorClass(), y.tensorClass());
                assertEquals(x.skipReason(), y.skipReason());
                assertEquals(x.metrics(), y.metrics(), x.name());
            }
            String text = Files.readString(a);
            assertTrue(text.contains("\"skip_reason\" : ") && text.contains("\"composite\" : null"),
                    "a skipped tensor has a reason and no composite");
            assertTrue(!text.contains("NaN"), "non-finite numbers are written as null");

            Files.writeString(b, text.replaceFirst("\"shape\" : \\[[^\\]]*\\]", "\"shape\" : { \"rows\" : 2 }"));
            ConfigException bad = assertThrows(ConfigException.class, () -> ManifestIO.read(b));
            assertTrue(bad.getMessage().contains(b.toString()) && bad.getMessage().contains("not a readable swan manifest"),
                    bad.getMessage());
        }
    }
}
