package dev.swan.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ConfigException;
import dev.swan.api.OutputException;
import dev.swan.api.ProgressSink;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.testkit.SyntheticModel;
import dev.swan.toolkit.model.ModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantize operation without the command line: what it writes, journals, refuses and reports. */
class QuantizeServiceTest {
    @TempDir
    Path tmp;

    private final List<String> phases = new ArrayList<>();

    private final Phases record = new Phases() {
        @Override
        public ProgressSink start(String phase) {
            phases.add("start " + phase);
            return ProgressSink.NONE;
        }

        @Override
        public void end(String phase) {
            phases.add("end " + phase);
        }
    };

    @Test
    void analyzesAllocatesAndWritesOneOutputAtomically() throws Exception {
        Path model = tmp.resolve("model");
        SyntheticModel.write(SyntheticModel.llama(), model);
        Path out = tmp.resolve("out.gguf");
        try (PluginRegistry plugins = PluginRegistry.load(new PluginRegistry.Sources(true, List.of(), false));
             ModelDir m = ModelFolder.open(model)) {
            PipelineSettings s = PipelineSettings.defaults().withModel(model).withFormat("gguf", Map.of())
                    .withAllocator("threshold", Map.of()).withThreads(2);
            ResolvedPipeline rp = ResolvedPipeline.resolve(s, plugins, true, true);
            QuantizeService service = new QuantizeService(new Pipeline(plugins));

            QuantizeService.Result dry = service.run(request(rp, m, out, null, true, false), record);
            assertNull(dry.written());
            assertEquals(m.tensors().size(), dry.manifest().tensors().size());
            assertFalse(Files.exists(out), "a dry run writes nothing");
            assertEquals(List.of("start analyze", "end analyze"), phases);

            phases.clear();
            QuantizeService.Result done = service.run(request(rp, m, out, null, false, false), record);
            assertEquals(List.of("start analyze", "end analyze", "start write", "end write"), phases);
            assertTrue(Files.size(out) > 0);
            assertEquals(m.tensors().size(), done.written().tensors().size());
            try (var files = Files.list(tmp)) {
                assertEquals(List.of("model", "out.gguf"),
                        files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary left; the finished journal removed");
            }

            byte[] first = Files.readAllBytes(out);
            assertThrows(OutputException.class, () -> service.run(request(rp, m, out, null, false, false), record),
                    "an existing output is replaced only with force");
            phases.clear();
            service.run(request(rp, m, out, done.manifest(), false, true), record);
            assertEquals(List.of("start write", "end write"), phases, "a given plan is written without measuring");
            assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(out)), "the same plan gives the same bytes");

            Manifest d = done.manifest();
            Manifest other = new Manifest(d.swanVersion(), d.created(), d.modelPath(), d.modelConfig(), d.fingerprint(),
                    d.seed(), d.metrics(), d.tensors().subList(1, 3), d.seconds(), d.allocator(), d.policy(), d.plan(),
                    d.analysisSeconds(), d.inputEnergies());
            ConfigException e = assertThrows(ConfigException.class,
                    () -> service.run(request(rp, m, tmp.resolve("x.gguf"), other, false, false), record));
            assertTrue(e.getMessage().contains("other tensors"), e.getMessage());
            assertThrows(OutputException.class, () -> service.run(request(rp, m, model.resolve("in.gguf"), null, false, false),
                    record), "an output inside its own source is refused");
        }
    }

    private static QuantizeService.Request request(ResolvedPipeline rp, ModelDir m, Path out, Manifest plan,
                                                   boolean dryRun, boolean force) {
        return new QuantizeService.Request(rp, m, out, plan, plan == null ? null : Path.of("plan.json"), false,
                rp.settings().weights(), dryRun, force, false, List.of(), 2, "test");
    }
}
