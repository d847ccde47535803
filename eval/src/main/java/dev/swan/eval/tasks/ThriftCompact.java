package dev.swan.eval.tasks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Apache Thrift's compact protocol, read generically: a struct becomes its fields by id (integers as Long,
 * binaries as byte[], lists as List, structs as Map), which is all Parquet's footer and page headers need.
 */
final class ThriftCompact {
    private final ByteBuffer in;
    private int depth;

    ThriftCompact(ByteBuffer in) {
        this.in = in;
    }

    /** The struct at the buffer's position; the position moves past it. */
    Map<Integer, Object> struct() {
        if (++depth > 64) throw new IllegalStateException("Thrift structs nested deeper than 64");
        Map<Integer, Object> out = new HashMap<>();
        int id = 0;
        while (true) {
            int header = in.get() & 0xff;
            int type = header & 0x0f;
            if (type == 0) {
                depth--;
                return out;
            }
            int delta = header >>> 4;
            id = delta != 0 ? id + delta : (int) zigzag(varint());
            out.put(id, value(type));
        }
    }

    private Object value(int type) {
        switch (type) {
            case 1: return Boolean.TRUE;
            case 2: return Boolean.FALSE;
            case 3: return (long) in.get();
            case 4: case 5: case 6: return zigzag(varint());
            case 7: return Double.longBitsToDouble(Long.reverseBytes(in.getLong()));
            case 8: {
                int n = (int) varint();
                if (n < 0 || n > in.remaining()) throw new IllegalStateException("a binary field runs past the data");
                byte[] b = new byte[n];
                in.get(b);
                return b;
            }
            case 9: case 10: {
                int header = in.get() & 0xff;
                int size = header >>> 4;
                if (size == 15) size = (int) varint();
                int elem = header & 0x0f;
                if (size < 0 || size > in.remaining()) throw new IllegalStateException("a list is longer than the data");
                List<Object> out = new ArrayList<>(size);
                for (int i = 0; i < size; i++) out.add(elem == 1 || elem == 2 ? in.get() == 1 : value(elem));
                return out;
            }
            case 11: {
                int size = (int) varint();
                Map<Object, Object> out = new HashMap<>();
                if (size == 0) return out;
                int kv = in.get() & 0xff;
                for (int i = 0; i < size; i++) out.put(value(kv >>> 4), value(kv & 0x0f));
                return out;
            }
            case 12: return struct();
            default: throw new IllegalStateException("unknown Thrift type " + type);
        }
    }

    private long varint() {
        return varint(in);
    }

    /** An unsigned LEB128 varint (Thrift's and Parquet's). */
    static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xff;
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IllegalStateException("a varint longer than 10 bytes");
    }

    /** Zigzag-decoded: 0, -1, 1, -2, ... from 0, 1, 2, 3, ... */
    static long zigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
