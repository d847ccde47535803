package dev.swan.api.tensor;

import java.util.Locale;
import java.util.Optional;

/**
 * Element types of the safetensors container, by their header names. Only the float types can be read
 * as float32 for analysis; the others are carried through unchanged by writers.
 */
public enum DType {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false),
    U64(8, false), U32(4, false), U16(2, false), U8(1, false),
    BOOL(1, false), F8_E4M3(1, false), F8_E5M2(1, false), F8_E8M0(1, false);

    private final int size;
    private final boolean floating;

    DType(int size, boolean floating) {
        this.size = size;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** True for the types swan can widen to float32 (F64, F32, F16, BF16). */
    public boolean isFloat() {
        return floating;
    }

    /** The name used in safetensors headers, e.g. {@code BF16}. */
    public String safetensorsName() {
        return name();
    }

    /** Looks a header dtype name up (case-sensitive, as the safetensors reader is). */
    public static Optional<DType> fromSafetensors(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) return Optional.of(d);
        }
        return Optional.empty();
    }

    /** Maps a {@code torch_dtype} string from config.json ("bfloat16", "float16", "float32"). */
    public static Optional<DType> fromTorch(String torchDtype) {
        if (torchDtype == null) return Optional.empty();
        switch (torchDtype.toLowerCase(Locale.ROOT).replace("torch.", "")) {
            case "bfloat16": return Optional.of(BF16);
            case "float16": case "half": return Optional.of(F16);
            case "float32": case "float": return Optional.of(F32);
            default: return Optional.empty();
        }
    }
}
