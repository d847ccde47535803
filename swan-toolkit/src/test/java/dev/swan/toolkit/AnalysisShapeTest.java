package dev.swan.toolkit;

import dev.swan.api.AnalysisShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** swan-method §1.0: what the metrics see of each tensor shape. */
class AnalysisShapeTest {
    @TempDir
    Path tmp;

    private static TensorInfo info(DType d, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return new TensorInfo("t", d, shape, Path.of("x"), 0, n * d.size());
    }

    @Test
    void skipsVectorsDegenerateMatricesTinyAndNonFloat() {
        assertEquals(AnalysisShape.SKIP_1D, AnalysisShape.of(info(DType.F32, 4096)).skipReason());
        assertEquals(AnalysisShape.SKIP_1D, AnalysisShape.of(info(DType.F32, 1, 4096)).skipReason());
        assertEquals(AnalysisShape.SKIP_1D, AnalysisShape.of(info(DType.F32, 4096, 1)).skipReason());
        assertEquals(AnalysisShape.SKIP_TINY, AnalysisShape.of(info(DType.F32, 31, 33)).skipReason());
        assertNull(AnalysisShape.of(info(DType.F32, 32, 32)).skipReason(), "1024 elements are analysed");
        assertEquals(AnalysisShape.SKIP_NON_FLOAT, AnalysisShape.of(info(DType.I32, 64, 64)).skipReason());
    }

    @Test
    void expertStacksSampleFourEvenlySpacedExperts() {
        AnalysisShape s = AnalysisShape.of(info(DType.BF16, 128, 8, 16));
        assertArrayEquals(new int[] {0, 42, 84, 127}, s.experts());
        assertEquals(32, s.rows());
        assertEquals(16, s.cols());
        assertArrayEquals(new int[] {0, 170, 340, 511}, AnalysisShape.of(info(DType.BF16, 512, 8, 16)).experts());
        AnalysisShape few = AnalysisShape.of(info(DType.BF16, 3, 64, 16));
        assertArrayEquals(new int[] {0, 1, 2}, few.experts());
        assertEquals(192, few.rows());
    }

    @Test
    void higherRanksFlattenToFirstDimension() {
        AnalysisShape s = AnalysisShape.of(info(DType.F32, 8, 4, 4, 16));
        assertEquals(8, s.rows());
        assertEquals(256, s.cols());
    }

    @Test
    void loadsTheSampledExperts() throws IOException {
        Path p = tmp.resolve("e.safetensors");
        int e = 6;
        int a = 4;
        int b = 64;
        try (SafetensorsWriter w = SafetensorsWriter.create(p, Map.of(),
                List.of(new SafetensorsWriter.Entry("model.layers.0.mlp.experts.down_proj", DType.F32, new long[] {e, a, b})))) {
            w.beginTensor("model.layers.0.mlp.experts.down_proj");
            ByteBuffer buf = ByteBuffer.allocate(e * a * b * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < e * a * b; i++) buf.putFloat(i / (a * b)); // every value is its expert index
            w.write(buf.flip());
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            TensorInfo t = f.tensors().values().iterator().next();
            AnalysisShape s = AnalysisShape.of(t);
            assertArrayEquals(new int[] {0, 1, 3, 5}, s.experts());
            FloatMatrix m = s.load(f.data(t));
            assertEquals(4 * a, m.rows());
            assertEquals(0f, m.get(0, 0));
            assertEquals(1f, m.get(a, 0));
            assertEquals(3f, m.get(2 * a, 5));
            assertEquals(5f, m.get(3 * a + 3, 63));
        }
    }
}
