package dev.swan.format.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GGUF v3 header of a file to be written (the GGUF specification in ggml's docs/gguf.md): metadata, tensor infos with ne[0]
 * innermost, and data offsets that are sequential and padded to 32. Serialising it gives every byte
 * before the data section; tensor data follows in info order, each padded to 32, the last one too.
 */
final class GgufLayout {
    static final int ALIGNMENT = 32;
    static final int MAGIC = 0x46554747;
    static final int VERSION = 3;

    /** One tensor: GGUF name, dims innermost first (ggml ne), type. */
    record Tensor(String name, long[] ne, GgmlType type) {
        long bytes() {
            long rows = 1;
            for (int i = 1; i < ne.length; i++) rows *= ne[i];
            return type.rowBytes(ne[0]) * rows;
        }
    }

    final Map<String, GgufValue> kv = new LinkedHashMap<>();
    final List<Tensor> tensors = new ArrayList<>();

    static long align(long x) {
        return x + (ALIGNMENT - x % ALIGNMENT) % ALIGNMENT;
    }

    /** Data-section offset of tensor i. */
    long offset(int i) {
        long off = 0;
        for (int k = 0; k < i; k++) off += align(tensors.get(k).bytes());
        return off;
    }

    /** Header, metadata, tensor infos and the padding up to the data section. */
    byte[] header() {
        Out o = new Out();
        o.u32(MAGIC);
        o.u32(VERSION);
        o.u64(tensors.size());
        o.u64(kv.size());
        for (Map.Entry<String, GgufValue> e : kv.entrySet()) {
            o.str(e.getKey());
            o.u32(e.getValue().type());
            o.value(e.getValue());
        }
        long off = 0;
        for (Tensor t : tensors) {
            o.str(t.name());
            int dims = t.ne().length;
            while (dims > 1 && t.ne()[dims - 1] == 1) dims--; // ggml_n_dims: trailing 1s dropped
            o.u32(dims);
            for (int i = 0; i < dims; i++) o.u64(t.ne()[i]);
            o.u32(t.type().id());
            o.u64(off);
            off += align(t.bytes());
        }
        while (o.size() % ALIGNMENT != 0) o.b.write(0);
        return o.b.toByteArray();
    }

    private static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        final ByteBuffer tmp = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        int size() {
            return b.size();
        }

        void u32(long v) {
            tmp.clear();
            tmp.putInt((int) v);
            b.write(tmp.array(), 0, 4);
        }

        void u64(long v) {
            tmp.clear();
            tmp.putLong(v);
            b.write(tmp.array(), 0, 8);
        }

        void str(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            b.write(bytes, 0, bytes.length);
        }

        void value(GgufValue v) {
            switch (v.type()) {
                case GgufValue.ARRAY:
                    u32(v.elementType());
                    u64(v.list().size());
                    for (Object x : v.list()) scalar(v.elementType(), x);
                    break;
                default:
                    scalar(v.type(), v.value());
            }
        }

        void scalar(int type, Object x) {
            switch (type) {
                case GgufValue.UINT8: case GgufValue.INT8: b.write(((Number) x).intValue()); break;
                case GgufValue.BOOL: b.write(((Boolean) x) ? 1 : 0); break;
                case GgufValue.UINT16: case GgufValue.INT16:
                    b.write(((Number) x).intValue());
                    b.write(((Number) x).intValue() >>> 8);
                    break;
                case GgufValue.UINT32: case GgufValue.INT32: u32(((Number) x).longValue()); break;
                case GgufValue.FLOAT32: u32(Float.floatToRawIntBits(((Number) x).floatValue())); break;
                case GgufValue.UINT64: case GgufValue.INT64: u64(((Number) x).longValue()); break;
                case GgufValue.FLOAT64: u64(Double.doubleToRawLongBits(((Number) x).doubleValue())); break;
                case GgufValue.STRING: str((String) x); break;
                default: throw new IllegalArgumentException("unsupported GGUF value type " + type);
            }
        }
    }
}
