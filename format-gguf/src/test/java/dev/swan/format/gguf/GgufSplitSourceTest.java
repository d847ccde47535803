package dev.swan.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ModelFormatException;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model split as llama.cpp's gguf-split writes it (PREFIX-0000i-of-0000N.gguf; the first file holds the
 * metadata and split.no / split.count / split.tensors.count, the others only the split keys and their
 * tensors) reads as the one file it was cut from, whichever part is named.
 */
class GgufSplitSourceTest {
    @TempDir
    Path tmp;

    /** Cuts {@code in} into {@code n} files of consecutive tensors, as gguf-split --split-max-tensors does. */
    static List<Path> split(Path in, int n, Path dir, String prefix) throws IOException {
        List<Path> out = new ArrayList<>();
        try (GgufReader r = GgufReader.open(in)) {
            List<GgufReader.Info> all = r.tensors();
            int per = (all.size() + n - 1) / n;
            for (int i = 0; i < n; i++) {
                GgufLayout layout = new GgufLayout();
                if (i == 0) layout.kv.putAll(r.metadata());
                layout.kv.put("split.no", new GgufValue(GgufValue.UINT16, (long) i, -1));
                layout.kv.put("split.count", new GgufValue(GgufValue.UINT16, (long) n, -1));
                layout.kv.put("split.tensors.count", new GgufValue(GgufValue.INT32, (long) all.size(), -1));
                List<GgufReader.Info> mine = all.subList(i * per, Math.min(all.size(), (i + 1) * per));
                for (GgufReader.Info t : mine) layout.tensors.add(new GgufLayout.Tensor(t.name(), t.ne(), t.type()));
                Path p = dir.resolve(String.format("%s-%05d-of-%05d.gguf", prefix, i + 1, n));
                try (OutputStream o = Files.newOutputStream(p)) {
                    o.write(layout.header());
                    for (GgufReader.Info t : mine) {
                        byte[] b = new byte[(int) t.bytes()];
                        r.read(t, 0, b, b.length);
                        o.write(b);
                        o.write(new byte[(int) (GgufLayout.align(b.length) - b.length)]);
                    }
                }
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void aSplitModelReadsAsTheFileItWasCutFrom() throws IOException {
        Path single = SharedModels.model("llama-quantize").resolve("stories260K-F32.gguf");
        List<Path> parts = split(single, 3, tmp, "stories");
        try (GgufSource whole = GgufSource.open(single, false); GgufSource cut = GgufSource.open(parts.get(1), false)) {
            assertEquals(parts, cut.shardFiles());
            assertEquals("stories", cut.name());
            assertEquals(whole.config().raw(), cut.config().raw());
            assertEquals(whole.tensors().size(), cut.tensors().size());
            for (TensorInfo t : whole.tensors()) {
                TensorInfo c = cut.tensor(t.name());
                assertArrayEquals(t.shape(), c.shape());
                byte[] a = new byte[(int) t.byteSize()];
                byte[] b = new byte[(int) c.byteSize()];
                whole.data(t).readBytes(0, a, 0, a.length);
                cut.data(c).readBytes(0, b, 0, b.length);
                assertArrayEquals(a, b, t.name());
            }
            assertTrue(cut.metadata().containsKey("tokenizer.ggml.tokens"));
        }
        Files.delete(parts.get(2));
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> GgufSource.open(parts.get(0), false));
        assertTrue(missing.getMessage().contains("part 3 of the 3-file split model"), missing.getMessage());
    }
}
