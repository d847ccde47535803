package dev.swan.toolkit.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ModelFormatException;
import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import dev.swan.api.tensor.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    /** Writes a raw safetensors file: 8-byte length, the given header text, then {@code dataBytes} bytes. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static String rejection(Path p) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p).close());
        assertEquals(p, e.file());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        return e.getMessage();
    }

    @Test
    void readsWhatTheWriterWrote() throws IOException {
        Path p = tmp.resolve("a.safetensors");
        List<SafetensorsWriter.Entry> entries = List.of(
                new SafetensorsWriter.Entry("w", DType.F32, new long[] {2, 3}),
                new SafetensorsWriter.Entry("b", DType.BF16, new long[] {3}),
                new SafetensorsWriter.Entry("h", DType.F16, new long[] {2}));
        try (SafetensorsWriter w = SafetensorsWriter.create(p, Map.of("format", "pt"), entries)) {
            w.beginTensor("w");
            ByteBuffer f = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 6; i++) f.putFloat(i * 1.5f);
            w.write(f.flip());
            w.beginTensor("b");
            ByteBuffer b = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : new float[] {1f, -2f, 0.5f}) b.putShort(HalfFloats.f32ToBf16(v));
            w.write(b.flip());
            w.beginTensor("h");
            ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            h.putShort(HalfFloats.f32ToF16(3f)).putShort(HalfFloats.f32ToF16(-0.25f));
            w.write(h.flip());
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8");
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(new float[] {0, 1.5f, 3, 4.5f, 6, 7.5f}, f.data("w").toFloatArray());
            assertArrayEquals(new float[] {1f, -2f, 0.5f}, f.data("b").toFloatArray());
            assertArrayEquals(new float[] {3f, -0.25f}, f.data("h").toFloatArray());
            assertArrayEquals(new float[] {4.5f, 6, 7.5f}, f.data("w").readRow(1, new float[3]));
        }
    }

    @Test
    void writerRefusesShortOrLongTensors() throws IOException {
        Path p = tmp.resolve("short.safetensors");
        SafetensorsWriter w = SafetensorsWriter.create(p, Map.of(),
                List.of(new SafetensorsWriter.Entry("w", DType.F32, new long[] {4})));
        w.beginTensor("w");
        assertThrows(IllegalStateException.class, () -> w.write(new byte[20], 0, 20));
        w.write(new byte[8], 0, 8);
        assertThrows(IOException.class, w::close);
    }

    /** Property: random tensor sets survive write → read, through mapping windows of 8 bytes. */
    @Test
    void randomRoundTripsAcrossTinyWindows() throws IOException {
        Random r = new Random(3);
        DType[] types = {DType.F32, DType.F16, DType.BF16};
        for (int round = 0; round < 40; round++) {
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            List<float[]> values = new ArrayList<>();
            for (int t = 0; t < 1 + r.nextInt(5); t++) {
                DType d = types[r.nextInt(3)];
                int rows = 1 + r.nextInt(5);
                int cols = 1 + r.nextInt(9);
                entries.add(new SafetensorsWriter.Entry("t" + t, d, new long[] {rows, cols}));
                float[] v = new float[rows * cols];
                for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
                values.add(v);
            }
            Path p = tmp.resolve("r" + round + ".safetensors");
            try (SafetensorsWriter w = SafetensorsWriter.create(p, Map.of(), entries)) {
                for (int t = 0; t < entries.size(); t++) {
                    w.beginTensor("t" + t);
                    DType d = entries.get(t).dtype();
                    ByteBuffer b = ByteBuffer.allocate(values.get(t).length * d.size()).order(ByteOrder.LITTLE_ENDIAN);
                    for (float v : values.get(t)) {
                        if (d == DType.F32) b.putFloat(v);
                        else b.putShort(d == DType.F16 ? HalfFloats.f32ToF16(v) : HalfFloats.f32ToBf16(v));
                    }
                    w.write(b.flip());
                }
            }
            try (SafetensorsFile f = SafetensorsFile.open(p, 8)) {
                for (int t = 0; t < entries.size(); t++) {
                    DType d = entries.get(t).dtype();
                    float[] expected = values.get(t).clone();
                    for (int i = 0; i < expected.length; i++) expected[i] = HalfFloats.roundTo(d, expected[i]);
                    TensorData data = f.data("t" + t);
                    assertArrayEquals(expected, data.toFloatArray());
                    assertArrayEquals(expected, f.stream(f.tensors().get("t" + t)).toFloatArray(), "positional reads");
                    int from = r.nextInt(expected.length);
                    float[] part = new float[expected.length - from];
                    data.readFloats(from, part, 0, part.length);
                    assertArrayEquals(java.util.Arrays.copyOfRange(expected, from, expected.length), part);
                }
            }
        }
    }

    @Test
    void rejectsTruncatedFile() throws IOException {
        Path p = tmp.resolve("x.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(rejection(p).contains("truncated"));
    }

    @Test
    void rejectsHeaderLongerThanFile() throws IOException {
        Path p = tmp.resolve("x.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertTrue(rejection(p).contains("larger than the file"));
        Path huge = tmp.resolve("y.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertTrue(rejection(huge).contains("outside"));
    }

    @Test
    void rejectsNonJsonAndNonObjectHeaders() throws IOException {
        assertTrue(rejection(raw("not json at all", 0)).contains("not valid JSON"));
        assertTrue(rejection(raw("[1, 2, 3]", 0)).contains("not an object"));
        Path bad = tmp.resolve("utf.safetensors");
        Files.write(bad, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4)
                .put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}).array());
        assertTrue(rejection(bad).contains("UTF-8"));
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        String m = rejection(raw("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2));
        assertTrue(m.contains("unknown dtype 'Q4'") && m.contains(": w: "), m);
    }

    @Test
    void rejectsShapeAndSpanDisagreeing() throws IOException {
        String m = rejection(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12));
        assertTrue(m.contains("needs 16 bytes"), m);
    }

    @Test
    void rejectsOverlapGapOutOfRangeAndTrailingBytes() throws IOException {
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(rejection(raw(overlap, 12)).contains("overlap"));
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertTrue(rejection(raw(gap, 12)).contains("gap"));
        String late = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(rejection(raw(late, 8)).contains("gap"));
        String range = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        assertTrue(rejection(raw(range, 8)).contains("beyond the data area"));
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(rejection(raw(ok, 6)).contains("2 bytes after the last tensor"));
        String backwards = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}";
        assertTrue(rejection(raw(backwards, 4)).contains("backwards"));
    }

    @Test
    void rejectsDuplicateTensorNames() throws IOException {
        String dup = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(rejection(raw(dup, 8)).contains("duplicate"));
    }

    /** Property: corrupting any byte of a valid header gives a clean ModelFormatException or a valid file. */
    @Test
    void corruptedHeadersFailCleanly() throws IOException {
        String good = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}";
        byte[] h = good.getBytes(StandardCharsets.UTF_8);
        Random r = new Random(11);
        for (int i = 0; i < 1500; i++) {
            byte[] c = h.clone();
            c[r.nextInt(c.length)] = (byte) (r.nextInt(95) + 32);
            Path p = raw(new String(c, StandardCharsets.ISO_8859_1), 16);
            try {
                SafetensorsFile.open(p).close();
            } catch (ModelFormatException expected) {
                assertEquals(p, expected.file());
            }
            Files.delete(p);
        }
    }
}
