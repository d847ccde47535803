package dev.swan.format.gguf;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama-quantize's recipes, byte for byte: for each of its files of qwen3-gutenberg-4m (made by llama.cpp
 * from an F32 GGUF of the same weights), swan's file with the same recipe holds every tensor at the same
 * type with identical bytes, and the sizer predicts the tensor data exactly.
 */
class LlamaQuantizePresetTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q2_K", "Q3_K_M", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"})
    void tensorsEqualLlamaQuantizesFile(String recipe) throws Exception {
        GgufFormat gguf = new GgufFormat();
        Map<String, Object> options = gguf.baseline(recipe, true).orElseThrow();
        Parameters p = Parameters.resolve("gguf", gguf.parameters(), options, "test");
        Path out = tmp.resolve(recipe + ".gguf");
        long predicted = 0;
        try (ModelDir m = ModelFolder.open(SharedModels.model("qwen3-gutenberg-4m"))) {
            List<TensorDecision> d = new ArrayList<>();
            TensorSizer sizer = gguf.sizer(m.config(), p);
            for (TensorInfo t : m.tensors()) {
                TensorDecision dec = new TensorDecision(t.name(), t.rank() == 2 ? 8 : 16, 0, "preset", Double.NaN);
                d.add(dec);
                predicted += sizer.bytes(new TensorAnalysis(t.name(), t.dtype(), t.shape(), m.classOf(t), "x", Map.of()), dec);
            }
            gguf.write(m, new AllocationPlan("uniform", Map.of(), d), out,
                    new FormatContext(p, Parallel.sequential(), ProgressSink.NONE, "test"));
        }
        Path theirs = SharedModels.sharedDir().resolve("models/llama-quantize/qwen3-gutenberg-4m-" + recipe + ".gguf");
        long data = 0;
        try (GgufReader a = GgufReader.open(out); GgufReader b = GgufReader.open(theirs)) {
            Map<String, GgufReader.Info> mine = new LinkedHashMap<>();
            for (GgufReader.Info t : a.tensors()) mine.put(t.name(), t);
            assertEquals(b.tensors().size(), mine.size(), "tensor count");
            for (GgufReader.Info t : b.tensors()) {
                GgufReader.Info m = mine.get(t.name());
                assertEquals(t.type(), m.type(), recipe + " " + t.name());
                byte[] x = new byte[(int) t.bytes()];
                byte[] y = new byte[(int) m.bytes()];
                b.read(t, 0, x, x.length);
                a.read(m, 0, y, y.length);
                assertArrayEquals(x, y, recipe + " " + t.name() + " bytes");
                data += m.bytes();
            }
        }
        assertEquals(data, predicted, "the sizer predicts the tensor data");
        assertTrue(Files.size(out) > data);
    }
}
