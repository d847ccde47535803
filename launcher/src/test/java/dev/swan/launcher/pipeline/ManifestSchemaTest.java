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

    /** The policy is the SPI's own record, written through mix-ins: these names, and back to an equal record. */
    @Test
    void policiesKeepTheirJsonNamesAndReadBack() throws Exception {
        dev.swan.api.AllocationPolicy bits = new dev.swan.api.AllocationPolicy(List.of("a"), List.of(),
                List.of(new dev.swan.api.AllocationPolicy.Override("x", 8, 64)),
                dev.swan.api.AllocationPolicy.defaultGroupSizes(), dev.swan.api.AllocationPolicy.Target.bits(5.0));
        assertEquals("{\"protected\":[\"a\"],\"sensitive\":[],\"overrides\":[{\"pattern\":\"x\",\"bits\":8,\"group_size\":64}],"
                + "\"group_sizes\":{\"2\":32,\"3\":64,\"4\":128,\"5\":64,\"6\":64,\"8\":64},\"target\":{\"effective_bits\":5.0}}",
                Json.COMPACT.writeValueAsString(bits));
        dev.swan.api.AllocationPolicy size = bits.withTarget(dev.swan.api.AllocationPolicy.Target.size(1000));
        assertTrue(Json.COMPACT.writeValueAsString(size).endsWith("\"target\":{\"bytes\":1000}}"));
        for (dev.swan.api.AllocationPolicy p : List.of(bits, size, dev.swan.api.AllocationPolicy.defaults())) {
            Manifest m = new Manifest("0", "now", "/m", Map.of(), "f", 1, List.of(), List.of(), Map.of(), Map.of(),
                    Json.MAPPER.convertValue(p, Json.MAP), null, 0, Map.of());
            assertEquals(p, Pipeline.policy(m));
        }
        Manifest edited = new Manifest("0", "now", "/m", Map.of(), "f", 1, List.of(), List.of(), Map.of(), Map.of(),
                Map.of("overrides", List.of(Map.of("pattern", "x", "bits", 7))), null, 0, Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> Pipeline.policy(edited));
        assertTrue(e.getMessage().contains("bits must be one of") && e.getMessage().contains("analyze the model again"),
                e.getMessage());
    }

    @Test
    void aManifestReadsBackToTheSameBytes() throws Exception {
        Path model = tmp.resolve("model");
        SyntheticModel.write(SyntheticModel.qwen3(), model);
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, List.of(), false));
             ModelDir m = ModelFolder.open(model)) {
            PipelineSettings s = PipelineSettings.defaults().withModel(model).withAllocator("threshold", Map.of()).withThreads(2);
            ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, true, true);
            Pipeline pipeline = new Pipeline(plugins);
            Manifest first = pipeline.analyze(rp, m, null, false, Phases.NONE);
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
