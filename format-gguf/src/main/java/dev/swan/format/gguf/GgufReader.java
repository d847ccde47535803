package dev.swan.format.gguf;

import dev.swan.api.ModelFormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file with ggml's strictness (the GGUF specification in ggml's docs/gguf.md): magic and version, key and tensor-name
 * rules, known types, block-divisible rows, offsets exactly sequential and aligned, and the data area
 * holding every padded tensor. Tensor data is read on demand.
 */
public final class GgufReader implements AutoCloseable {
    /** A tensor as stored. */
    public record Info(String name, long[] ne, GgmlType type, long offset) {
        public long bytes() {
            long rows = 1;
            for (int i = 1; i < ne.length; i++) rows *= ne[i];
            return type.rowBytes(ne[0]) * rows;
        }

        public long rows() {
            long rows = 1;
            for (int i = 1; i < ne.length; i++) rows *= ne[i];
            return rows;
        }
    }

    private final Path file;
    private final int version;
    private final Map<String, GgufValue> kv;
    private final List<Info> tensors;
    private final long dataStart;
    private final FileChannel channel;

    private GgufReader(Path file, int version, Map<String, GgufValue> kv, List<Info> tensors, long dataStart,
                       FileChannel channel) {
        this.file = file;
        this.version = version;
        this.kv = kv;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.channel = channel;
    }

    public static GgufReader open(Path file) throws IOException {
        long size = Files.size(file);
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        List<Info> tensors = new ArrayList<>();
        long pos;
        int version;
        dev.swan.toolkit.io.InputFiles.requireRegular(file);
        try (CountingIn in = new CountingIn(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            DataInputStream d = new DataInputStream(in);
            if (Integer.reverseBytes(d.readInt()) != GgufLayout.MAGIC) throw bad(file, "not a GGUF file (bad magic)");
            version = Integer.reverseBytes(d.readInt());
            if (version != 3 && version != 2) throw bad(file, "GGUF version " + version + " (expected 3)");
            long nTensors = Long.reverseBytes(d.readLong());
            long nKv = Long.reverseBytes(d.readLong());
            if (nTensors < 0 || nKv < 0 || nTensors > 1_000_000 || nKv > 1_000_000) throw bad(file, "implausible counts");
            for (long i = 0; i < nKv; i++) {
                String key = str(d, file);
                if (key.isEmpty()) throw bad(file, "empty metadata key");
                int type = Integer.reverseBytes(d.readInt());
                GgufValue v = value(d, type, file, key);
                if (kv.put(key, v) != null) throw bad(file, "duplicate key " + key);
            }
            GgufValue al = kv.get("general.alignment");
            if (al != null && (al.type() != GgufValue.UINT32 || Long.bitCount((Long) al.value()) != 1)) {
                throw bad(file, "general.alignment must be a UINT32 power of two");
            }
            // offsets and the data section follow the file's own alignment (32 when it names none)
            long alignment = al == null ? GgufLayout.ALIGNMENT : (Long) al.value();
            long expected = 0;
            for (long i = 0; i < nTensors; i++) {
                String name = str(d, file);
                if (name.getBytes(StandardCharsets.UTF_8).length > 63) throw bad(file, "tensor name over 63 bytes: " + name);
                int dims = Integer.reverseBytes(d.readInt());
                if (dims < 1 || dims > 4) throw bad(file, name + ": " + dims + " dimensions");
                long[] ne = new long[dims];
                for (int k = 0; k < dims; k++) {
                    ne[k] = Long.reverseBytes(d.readLong());
                    if (ne[k] < 0) throw bad(file, name + ": negative dimension");
                }
                int typeId = Integer.reverseBytes(d.readInt());
                GgmlType type = GgmlType.byId(typeId).orElseThrow(() -> bad(file, name + ": unknown type id " + typeId));
                if (ne[0] % type.blockSize() != 0) throw bad(file, name + ": row of " + ne[0] + " not a multiple of "
                        + type + "'s block " + type.blockSize());
                long off = Long.reverseBytes(d.readLong());
                Info info = new Info(name, ne, type, off);
                if (off != expected) throw bad(file, "tensor '" + name + "' has offset " + off + ", expected " + expected);
                expected += align(info.bytes(), alignment);
                tensors.add(info);
            }
            pos = in.count;
            long dataStart = align(pos, alignment);
            if (dataStart + expected > size) {
                throw bad(file, "data area needs " + (dataStart + expected) + " bytes but the file has " + size
                        + " (truncated, or the last tensor is not padded)");
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            return new GgufReader(file, version, kv, tensors, dataStart, ch);
        } catch (EOFException e) {
            throw bad(file, "truncated header");
        }
    }

    private static ModelFormatException bad(Path file, String msg) {
        return new ModelFormatException(file, null, msg);
    }

    private static String str(DataInputStream d, Path file) throws IOException {
        long n = Long.reverseBytes(d.readLong());
        if (n < 0 || n > 100_000_000) throw bad(file, "implausible string length " + n);
        byte[] b = new byte[(int) n];
        d.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static GgufValue value(DataInputStream d, int type, Path file, String key) throws IOException {
        if (type == GgufValue.ARRAY) {
            int et = Integer.reverseBytes(d.readInt());
            if (et == GgufValue.ARRAY) throw bad(file, key + ": nested arrays are not allowed");
            long n = Long.reverseBytes(d.readLong());
            if (n < 0 || n > 100_000_000) throw bad(file, key + ": implausible array length");
            List<Object> l = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) l.add(scalar(d, et, file, key));
            return new GgufValue(GgufValue.ARRAY, l, et);
        }
        return new GgufValue(type, scalar(d, type, file, key), -1);
    }

    private static Object scalar(DataInputStream d, int type, Path file, String key) throws IOException {
        switch (type) {
            case GgufValue.UINT8: return (long) d.readUnsignedByte();
            case GgufValue.INT8: return (long) d.readByte();
            case GgufValue.UINT16: return (long) Short.toUnsignedInt(Short.reverseBytes(d.readShort()));
            case GgufValue.INT16: return (long) Short.reverseBytes(d.readShort());
            case GgufValue.UINT32: return Integer.toUnsignedLong(Integer.reverseBytes(d.readInt()));
            case GgufValue.INT32: return (long) Integer.reverseBytes(d.readInt());
            case GgufValue.FLOAT32: return Float.intBitsToFloat(Integer.reverseBytes(d.readInt()));
            case GgufValue.BOOL: {
                int b = d.readUnsignedByte();
                if (b > 1) throw bad(file, key + ": bool byte " + b);
                return b == 1;
            }
            case GgufValue.STRING: return str(d, file);
            case GgufValue.UINT64: case GgufValue.INT64: return Long.reverseBytes(d.readLong());
            case GgufValue.FLOAT64: return Double.longBitsToDouble(Long.reverseBytes(d.readLong()));
            default: throw bad(file, key + ": unknown value type " + type);
        }
    }

    public Path file() {
        return file;
    }

    public int version() {
        return version;
    }

    public Map<String, GgufValue> metadata() {
        return kv;
    }

    public List<Info> tensors() {
        return tensors;
    }

    private static long align(long x, long a) {
        return x + (a - x % a) % a;
    }

    public long dataStart() {
        return dataStart;
    }

    /** Reads {@code len} bytes of a tensor's data starting {@code off} bytes into it. */
    public void read(Info t, long off, byte[] dst, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
        long p = dataStart + t.offset() + off;
        while (b.hasRemaining()) {
            int r = channel.read(b, p + b.position());
            if (r < 0) throw new EOFException();
        }
    }

    /** Row {@code r} of a tensor, decoded to floats. */
    public void readRow(Info t, long r, float[] out, byte[] scratch) throws IOException {
        int rb = (int) t.type().rowBytes(t.ne()[0]);
        read(t, r * rb, scratch, rb);
        t.type().quantizer().dequantizeRow(scratch, 0, (int) t.ne()[0], out, 0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static final class CountingIn extends java.io.FilterInputStream {
        long count;

        CountingIn(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int r = super.read();
            if (r >= 0) count++;
            return r;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) count += r;
            return r;
        }

        @Override
        public long skip(long n) throws IOException {
            long r = super.skip(n);
            count += r;
            return r;
        }
    }
}
