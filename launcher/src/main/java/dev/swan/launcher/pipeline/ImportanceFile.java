package dev.swan.launcher.pipeline;

import dev.swan.api.ConfigException;
import dev.swan.api.tensor.DType;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The importance a writer rounds with (self-calibration's per-column input mean squares), kept beside a
 * manifest so that writing a saved plan gives the bytes of the one-shot run: a safetensors file of one
 * float32 vector per weight, named {@code MANIFEST.importance.safetensors}, its SHA-256 in the manifest.
 */
final class ImportanceFile {
    static final String SUFFIX = ".importance.safetensors";

    private ImportanceFile() {
    }

    static Path beside(Path manifest) {
        return manifest.resolveSibling(manifest.getFileName() + SUFFIX);
    }

    /** Writes {@code importance} beside {@code manifest} (through a temporary sibling); returns its SHA-256. */
    static String write(Path manifest, Map<String, float[]> importance) throws IOException {
        Path target = beside(manifest);
        Path tmp = AtomicOutput.temporaryFor(target);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        importance.forEach((name, v) -> entries.add(new SafetensorsWriter.Entry(name, DType.F32, new long[] {v.length})));
        try (SafetensorsWriter w = SafetensorsWriter.create(tmp, Map.of("format", "swan-importance"), entries)) {
            for (Map.Entry<String, float[]> e : importance.entrySet()) {
                w.beginTensor(e.getKey());
                ByteBuffer b = ByteBuffer.allocate(4 * e.getValue().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(e.getValue());
                w.write(b);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        AtomicOutput.commit(tmp, target);
        return sha256(target);
    }

    /** The importance beside {@code manifest}, checked against {@code sha256}; refused in one line when missing or changed. */
    static Map<String, float[]> read(Path manifest, String sha256) throws IOException {
        Path file = beside(manifest);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(manifest.toString(), 0, 0, "its plan is written with the importance in " + file
                    .getFileName() + ", which is missing: keep that file beside the manifest, or analyze again");
        }
        if (!sha256(file).equals(sha256)) {
            throw new ConfigException(file.toString(), 0, 0, "is not the importance file its manifest was written with "
                    + "(SHA-256 differs): analyze again");
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.tensors().keySet()) {
                float[] v = new float[(int) f.tensors().get(name).numel()];
                f.data(name).readFloats(0, v, 0, v.length);
                out.put(name, v);
            }
        }
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
