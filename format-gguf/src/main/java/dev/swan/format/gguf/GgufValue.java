package dev.swan.format.gguf;

import java.util.List;

/**
 * A typed metadata value (the GGUF specification in ggml's docs/gguf.md). llama.cpp checks scalar types exactly, so every value
 * carries its GGUF type; arrays carry their element type.
 */
public record GgufValue(int type, Object value, int elementType) {
    public static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    public static GgufValue u32(long v) {
        return new GgufValue(UINT32, v, -1);
    }

    public static GgufValue f32(double v) {
        return new GgufValue(FLOAT32, (float) v, -1);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(BOOL, v, -1);
    }

    public static GgufValue string(String v) {
        return new GgufValue(STRING, v, -1);
    }

    public static GgufValue strings(List<String> v) {
        return new GgufValue(ARRAY, List.copyOf(v), STRING);
    }

    public static GgufValue int32s(List<Integer> v) {
        return new GgufValue(ARRAY, List.copyOf(v), INT32);
    }

    public static GgufValue f32s(List<Float> v) {
        return new GgufValue(ARRAY, List.copyOf(v), FLOAT32);
    }

    public List<?> list() {
        return (List<?>) value;
    }

    @Override
    public String toString() {
        if (type == ARRAY) return "array[" + list().size() + "]";
        return String.valueOf(value);
    }
}
