package dev.swan.format.gguf;

import dev.swan.api.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's importance-matrix files, by GGUF tensor name, as llama-quantize reads them: the GGUF form
 * ({@code <name>.in_sum2} and {@code <name>.counts} tensors, F32; values = sums / counts) and the legacy
 * binary form (entries of name, call count, values; values / calls). Written in the legacy form, which
 * every llama-quantize reads, with one call per entry so the values are stored as they are.
 */
final class GgufImatrix {
    /** Larger files are refused: an imatrix holds a few floats per model column. */
    static final long MAX_BYTES = 4L << 30;

    private GgufImatrix() {
    }

    /** The per-column mean squares of every entry, by GGUF tensor name. */
    static Map<String, float[]> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new ModelFormatException(file, null, "no such imatrix file");
        if (Files.size(file) > MAX_BYTES) throw new ModelFormatException(file, null, "too large for an importance matrix");
        byte[] head = new byte[4];
        dev.swan.toolkit.io.InputFiles.requireRegular(file);
        try (var in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4) throw new ModelFormatException(file, null, "truncated imatrix file");
        }
        return head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F' ? readGguf(file) : readLegacy(file);
    }

    private static Map<String, float[]> readGguf(Path file) throws IOException {
        Map<String, float[]> sums = new LinkedHashMap<>();
        Map<String, float[]> counts = new LinkedHashMap<>();
        try (GgufReader r = GgufReader.open(file)) {
            for (GgufReader.Info t : r.tensors()) {
                if (t.type() != GgmlType.F32) throw new ModelFormatException(file, t.name(), "imatrix tensors must be F32");
                long n = t.bytes() / 4;
                if (n > Integer.MAX_VALUE / 4) throw new ModelFormatException(file, t.name(), "implausibly large");
                byte[] b = new byte[(int) (4 * n)];
                r.read(t, 0, b, b.length);
                float[] v = new float[(int) n];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                if (t.name().endsWith(".in_sum2")) sums.put(t.name().substring(0, t.name().length() - 8), v);
                else if (t.name().endsWith(".counts")) counts.put(t.name().substring(0, t.name().length() - 7), v);
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : sums.entrySet()) {
            float[] c = counts.get(e.getKey());
            if (c == null || c.length == 0 || e.getValue().length % c.length != 0) {
                throw new ModelFormatException(file, e.getKey(), "sums without matching counts");
            }
            float[] s = e.getValue();
            int per = s.length / c.length;
            float[] v = new float[s.length];
            for (int j = 0; j < c.length; j++) {
                for (int i = 0; i < per; i++) v[j * per + i] = c[j] > 0 ? s[j * per + i] / c[j] : 1;
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static Map<String, float[]> readLegacy(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> out = new LinkedHashMap<>();
        try {
            int n = b.getInt();
            if (n < 1) throw new ModelFormatException(file, null, "no entries: not an imatrix file");
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                if (len < 1 || len > 4096 || len > b.remaining()) throw new ModelFormatException(file, null, "entry " + i + ": bad name length");
                byte[] name = new byte[len];
                b.get(name);
                int calls = b.getInt();
                int nval = b.getInt();
                if (nval < 1 || (long) nval * 4 > b.remaining()) throw new ModelFormatException(file, null, "entry " + i + ": bad value count");
                float[] v = new float[nval];
                for (int k = 0; k < nval; k++) {
                    float s = b.getFloat();
                    v[k] = calls > 0 ? s / calls : s;
                }
                out.put(new String(name, StandardCharsets.UTF_8), v);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new ModelFormatException(file, null, "truncated imatrix file");
        }
        return out;
    }

    /** Writes the legacy form llama-quantize reads: values stored as they are (one call each). */
    static void writeLegacy(Path file, Map<String, float[]> values, int chunks, String dataset) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        out.write(b.putInt(0, values.size()).array(), 0, 4);
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.write(b.putInt(0, name.length).array(), 0, 4);
            out.write(name);
            out.write(b.putInt(0, 1).array(), 0, 4);
            out.write(b.putInt(0, e.getValue().length).array(), 0, 4);
            ByteBuffer v = ByteBuffer.allocate(4 * e.getValue().length).order(ByteOrder.LITTLE_ENDIAN);
            v.asFloatBuffer().put(e.getValue());
            out.write(v.array());
        }
        out.write(b.putInt(0, chunks).array(), 0, 4);
        byte[] ds = dataset.getBytes(StandardCharsets.UTF_8);
        out.write(b.putInt(0, ds.length).array(), 0, 4);
        out.write(ds);
        Files.write(file, out.toByteArray());
    }

    /** Refuses values llama-quantize refuses (not finite). */
    static void checkFinite(Path file, Map<String, float[]> values) {
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            for (float v : e.getValue()) {
                if (!Float.isFinite(v)) throw new ModelFormatException(file, e.getKey(), "imatrix holds a non-finite value");
            }
        }
    }

    static List<String> names(Map<String, float[]> m) {
        return List.copyOf(m.keySet());
    }
}
