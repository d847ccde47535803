package dev.swan.eval;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.TensorDecision;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import dev.swan.format.mlx.MlxFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MLX output scored as stored (packed codes decoded tile by tile inside the products) gives exactly the
 * logits of a Hugging Face folder holding the same weights dequantized to float32, and those differ from
 * the original model's.
 */
class MlxForwardTest {
    @TempDir
    Path tmp;

    @Test
    void packedForwardEqualsTheForwardOfItsDequantizedWeights() throws Exception {
        Path src = SharedModels.model("qwen3-gutenberg-4m");
        Path mlx = tmp.resolve("mlx");
        MlxFormat format = new MlxFormat();
        try (ModelDir model = ModelFolder.open(src)) {
            List<TensorDecision> d = new ArrayList<>();
            int i = 0;
            for (TensorInfo t : model.tensors()) {
                boolean q = t.rank() == 2;
                int bits = new int[] {4, 3, 8, 2, 6, 5}[i++ % 6]; // every width, incl. the ones straddling bytes
                // and, one module in four, a floating-point mode (mixed modes per module)
                String mode = new String[] {"", "mlx:mxfp4", "", "mlx:nvfp4", "", "", "mlx:mxfp8", ""}[i % 8];
                d.add(q ? new TensorDecision(t.name(), bits, i % 2 == 0 ? 64 : 32, "test", Double.NaN, mode)
                        : new TensorDecision(t.name(), 16, 0, "float", Double.NaN));
            }
            Parameters p = Parameters.resolve("mlx", format.parameters(), Map.of(), "test");
            format.write(model, new AllocationPlan("test", Map.of(), d), mlx,
                    new FormatContext(p, Parallel.sequential(), ProgressSink.NONE, "test"));
        }
        Path dequantized = tmp.resolve("dequantized");
        Files.createDirectories(dequantized);
        Files.copy(src.resolve("config.json"), dequantized.resolve("config.json"));
        try (StoredModel m = format.openStored(mlx).orElseThrow()) {
            assertTrue(m.tensors().values().stream().anyMatch(t -> t.encoding().equals("affine3/g64")), "3-bit modules");
            for (String mode : List.of("mxfp4", "nvfp4", "mxfp8")) {
                assertTrue(m.tensors().values().stream().anyMatch(t -> t.encoding().equals(mode)), mode + " modules");
            }
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (StoredTensor t : m.tensors().values()) entries.add(new SafetensorsWriter.Entry(t.name(), DType.F32, t.shape()));
            try (SafetensorsWriter w = SafetensorsWriter.create(dequantized.resolve("model.safetensors"), Map.of(), entries)) {
                for (StoredTensor t : m.tensors().values()) {
                    w.beginTensor(t.name());
                    float[] row = new float[(int) t.cols()];
                    ByteBuffer b = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (long r = 0; r < t.rows(); r++) {
                        t.decodeRows(r, 1, row);
                        b.clear();
                        b.asFloatBuffer().put(row);
                        w.write(b.array(), 0, row.length * 4);
                    }
                }
            }
            int[] tokens = new int[64];
            for (int k = 0; k < tokens.length; k++) tokens[k] = (k * 37 + 1) % 2048;
            float[] packed = Transformer.of(m).logits(tokens, 0, 64, Parallel.sequential());
            try (HfStoredModel f = HfStoredModel.open(dequantized); HfStoredModel original = HfStoredModel.open(src)) {
                float[] plain = Transformer.of(f).logits(tokens, 0, 64, Parallel.sequential());
                assertArrayEquals(plain, packed, "same weights, same logits");
                float[] orig = Transformer.of(original).logits(tokens, 0, 64, Parallel.sequential());
                double diff = 0;
                for (int k = 0; k < orig.length; k++) diff = Math.max(diff, Math.abs(orig[k] - packed[k]));
                assertTrue(diff > 1e-3, "quantized weights move the logits: " + diff);
                assertEquals(orig.length, packed.length);
            }
        }
    }
}
