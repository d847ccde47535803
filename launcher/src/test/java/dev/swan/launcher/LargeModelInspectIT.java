package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'swan inspect' on a 16 GB sharded model reads headers only: it must work in a 256 MB heap. The data is
 * sparse zeros (the files have their full size but take no disk). The wall time is printed for the record;
 * the figure reported in the notes comes from 'hyperfine' / the bench, not from this test.
 */
class LargeModelInspectIT {
    @TempDir
    Path tmp;

    @Test
    void sixteenGigabyteModelInspectsInASmallHeap() throws Exception {
        Path model = tmp.resolve("big");
        SyntheticModel.Spec spec = SyntheticModel.qwen3().withSize(4096, 12288, 36, 32, 8, 128, 151936)
                .withDtype(DType.BF16).withMaxShardBytes(5L << 30).withZeroData(true);
        SyntheticModel.write(spec, model);
        long bytes = 0;
        try (var files = Files.list(model)) {
            for (Path p : (Iterable<Path>) files::iterator) bytes += Files.size(p);
        }
        assertTrue(bytes > 16e9, "model is " + bytes + " bytes");
        long t0 = System.nanoTime();
        String out = Files.readString(inspectInSmallHeap(model, "out", 2));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(out.contains("\"shards\" : 4"), "sharded: " + out.substring(out.length() - 200));
        assertTrue(out.contains("model.layers.35.mlp.down_proj.weight"));
        System.out.printf("inspect of a %.1f GB sharded model with -Xmx256m: %.2f s wall (JVM start included)%n",
                bytes / 1e9, secs);
    }

    /** Mixture-of-experts checkpoints of the sizes people quantize: experts and active parameters, in a 256 MB heap. */
    @Test
    void moeCheckpointsInspectInASmallHeap() throws Exception {
        for (MoeHeaders shape : new MoeHeaders[] {MoeHeaders.qwen3_30bA3b(), MoeHeaders.qwen3_235bA22b()}) {
            Path model = tmp.resolve("moe" + shape.layers());
            shape.write(model, 5L << 30);
            long t0 = System.nanoTime();
            Path out = inspectInSmallHeap(model, "moe" + shape.layers(), 3);
            double secs = (System.nanoTime() - t0) / 1e9;
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile());
            assertEquals(shape.parameters(), json.get("totals").get("params").asLong());
            assertEquals(128, json.get("experts").get("per_layer").asInt());
            assertEquals(8, json.get("experts").get("per_token").asInt());
            long active = json.get("experts").get("active_params").asLong();
            System.out.printf("inspect of a %d-layer MoE (%,d parameters, %,d active) with -Xmx256m: %.2f s wall%n",
                    shape.layers(), shape.parameters(), active, secs);
            if (shape.layers() == 48) {
                assertTrue(active > 3.2e9 && active < 3.5e9, "Qwen3-30B-A3B activates about 3.3B: " + active);
            } else {
                assertTrue(active > 21e9 && active < 23e9, "Qwen3-235B-A22B activates about 22B: " + active);
            }
            if (shape.layers() != 48) { // the forecast itself is checked once (it times the metrics per shape)
                AnalyzeAllocateTest.deleteTree(model);
                continue;
            }
            Dist forecast = Dist.run(tmp, "analyze", model.toString(), "--dry-run", "-f", "gguf");
            assertEquals(0, forecast.exit(), forecast.toString());
            System.out.println(forecast.out());
            assertTrue(forecast.out().contains("Forecast: analysis takes about"), forecast.out());
            assertTrue(forecast.out().contains(String.format(java.util.Locale.ROOT, "%,d per-expert slices",
                    3L * shape.layers() * shape.experts())), forecast.out());
            AnalyzeAllocateTest.deleteTree(model);
        }
    }

    /** {@code swan inspect MODEL --json} in a 256 MB heap, within {@code minutes}; returns the JSON file. */
    private Path inspectInSmallHeap(Path model, String name, int minutes) throws Exception {
        List<String> cmd = List.of(Dist.home().resolve("bin/swan").toString(), "inspect", model.toString(), "--json");
        Path out = tmp.resolve(name + ".json");
        Path err = tmp.resolve(name + "-err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SWAN_JAVA_OPTS", "-Xmx256m");
        Process p = pb.start();
        assertTrue(p.waitFor(minutes, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(err));
        return out;
    }
}
