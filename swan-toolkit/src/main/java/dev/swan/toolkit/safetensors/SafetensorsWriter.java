package dev.swan.toolkit.safetensors;

import dev.swan.toolkit.json.JsonWriter;
import dev.swan.api.tensor.DType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams a safetensors file tensor by tensor: the header (known up front from names, dtypes and
 * shapes) is written first, padded with spaces to a multiple of 8 bytes, then each tensor's bytes in the
 * declared order. Nothing is buffered beyond a fixed-size output buffer. {@link #close()} fails if a
 * declared tensor was not written in full, so a partial file is never mistaken for a complete one.
 */
public final class SafetensorsWriter implements AutoCloseable {

    /** One tensor to be written. */
    public record Entry(String name, DType dtype, long[] shape) {
        public Entry {
            shape = shape.clone();
        }

        public long byteSize() {
            long n = dtype.size();
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }
    }

    private final Path path;
    private final OutputStream out;
    private final List<Entry> entries;
    private int current = -1;
    private long remaining;
    private long written;

    private SafetensorsWriter(Path path, OutputStream out, List<Entry> entries) {
        this.path = path;
        this.out = out;
        this.entries = entries;
    }

    /** Creates {@code path} (replacing it) and writes the header for {@code entries}, in that order. */
    public static SafetensorsWriter create(Path path, Map<String, String> metadata, List<Entry> entries)
            throws IOException {
        byte[] header = headerBytes(metadata, entries);
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20);
        try {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            os.write(len.array());
            os.write(header);
        } catch (IOException e) {
            os.close();
            throw e;
        }
        return new SafetensorsWriter(path, os, new ArrayList<>(entries));
    }

    /** The header JSON (including padding) for these entries; exposed so sizes can be predicted. */
    public static byte[] headerBytes(Map<String, String> metadata, List<Entry> entries) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) root.put("__metadata__", new LinkedHashMap<>(metadata));
        long offset = 0;
        for (Entry e : entries) {
            if (root.containsKey(e.name())) throw new IllegalArgumentException("duplicate tensor " + e.name());
            long size = e.byteSize();
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", e.dtype().safetensorsName());
            t.put("shape", e.shape());
            t.put("data_offsets", new long[] {offset, offset + size});
            root.put(e.name(), t);
            offset += size;
        }
        byte[] json = JsonWriter.compact().write(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    /** Total file size these entries produce. */
    public static long fileSize(Map<String, String> metadata, List<Entry> entries) {
        long size = 8 + headerBytes(metadata, entries).length;
        for (Entry e : entries) size += e.byteSize();
        return size;
    }

    /** Starts the next declared tensor, which must be {@code name}. */
    public void beginTensor(String name) throws IOException {
        if (current >= 0 && remaining != 0) {
            throw new IllegalStateException(entries.get(current).name() + " is missing " + remaining + " bytes");
        }
        current++;
        if (current >= entries.size() || !entries.get(current).name().equals(name)) {
            throw new IllegalStateException("expected tensor "
                    + (current < entries.size() ? entries.get(current).name() : "(none)") + " but got " + name);
        }
        remaining = entries.get(current).byteSize();
    }

    public void write(byte[] b, int off, int len) throws IOException {
        checkRoom(len);
        out.write(b, off, len);
        remaining -= len;
        written += len;
    }

    /** Writes the remaining bytes of {@code buf} (its position advances to its limit). */
    public void write(ByteBuffer buf) throws IOException {
        int len = buf.remaining();
        checkRoom(len);
        if (buf.hasArray()) {
            out.write(buf.array(), buf.arrayOffset() + buf.position(), len);
            buf.position(buf.limit());
        } else {
            byte[] tmp = new byte[Math.min(len, 1 << 16)];
            while (buf.hasRemaining()) {
                int n = Math.min(tmp.length, buf.remaining());
                buf.get(tmp, 0, n);
                out.write(tmp, 0, n);
            }
        }
        remaining -= len;
        written += len;
    }

    private void checkRoom(int len) {
        if (current < 0) throw new IllegalStateException("beginTensor first");
        if (len > remaining) {
            throw new IllegalStateException(entries.get(current).name() + ": " + len + " bytes written but only "
                    + remaining + " expected");
        }
    }

    public Path path() {
        return path;
    }

    /** Data bytes written so far. */
    public long bytesWritten() {
        return written;
    }

    @Override
    public void close() throws IOException {
        out.close();
        if (current != entries.size() - 1 || remaining != 0) {
            if (entries.isEmpty() && current == -1) return;
            throw new IOException(path + ": incomplete safetensors file: "
                    + (current < 0 ? "no tensor written" : "stopped at " + entries.get(current).name()));
        }
    }
}
