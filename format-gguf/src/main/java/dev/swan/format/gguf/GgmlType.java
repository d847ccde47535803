package dev.swan.format.gguf;

import dev.swan.format.gguf.quant.BlockQuantizer;
import dev.swan.format.gguf.quant.FloatTypes;
import dev.swan.format.gguf.quant.Iq1;
import dev.swan.format.gguf.quant.Iq2;
import dev.swan.format.gguf.quant.Iq3;
import dev.swan.format.gguf.quant.Iq4;
import dev.swan.format.gguf.quant.Mxfp4;
import dev.swan.format.gguf.quant.Q2_K;
import dev.swan.format.gguf.quant.Q3_K;
import dev.swan.format.gguf.quant.Q4_0;
import dev.swan.format.gguf.quant.Q4_1;
import dev.swan.format.gguf.quant.Q4_K;
import dev.swan.format.gguf.quant.Q5_0;
import dev.swan.format.gguf.quant.Q5_1;
import dev.swan.format.gguf.quant.Q5_K;
import dev.swan.format.gguf.quant.Q6_K;
import dev.swan.format.gguf.quant.Q8_0;
import dev.swan.format.gguf.quant.Ternary;
import java.util.Locale;
import java.util.Optional;

/** The ggml tensor types swan writes, with their ids and block layouts (ggml's ggml-common.h and ggml-quants.c). */
public enum GgmlType {
    F32(0, FloatTypes.F32, 32), F16(1, FloatTypes.F16, 16, 0), BF16(30, FloatTypes.BF16, 16),
    Q4_0(2, new Q4_0(), 4, 0), Q4_1(3, new Q4_1(), 4, 0, 2), Q5_0(6, new Q5_0(), 5, 0), Q5_1(7, new Q5_1(), 5, 0, 2),
    Q8_0(8, new Q8_0(), 8, 0), Q2_K(10, new Q2_K(), 2, 80, 82), Q3_K(11, new Q3_K(), 3, 108),
    Q4_K(12, new Q4_K(), 4, 0, 2), Q5_K(13, new Q5_K(), 5, 0, 2), Q6_K(14, new Q6_K(), 6, 208),
    IQ4_NL(20, Iq4.NL, 4, 0), IQ4_XS(23, Iq4.XS, 4, 0), TQ1_0(34, Ternary.TQ1_0, 2, 52), TQ2_0(35, Ternary.TQ2_0, 2, 64),
    MXFP4(39, new Mxfp4(), 4), IQ3_S(21, Iq3.S, 3, 0), IQ3_XXS(18, Iq3.XXS, 3, 0), IQ2_S(22, Iq2.S, 2, 0),
    IQ2_XS(17, Iq2.XS, 2, 0), IQ2_XXS(16, Iq2.XXS, 2, 0), IQ1_M(29, Iq1.M, 1), IQ1_S(19, Iq1.S, 1, 0);

    private final int id;
    private final BlockQuantizer quantizer;
    private final int nominalBits;
    private final int[] f16Fields;

    GgmlType(int id, BlockQuantizer quantizer, int nominalBits, int... f16Fields) {
        this.id = id;
        this.quantizer = quantizer;
        this.nominalBits = nominalBits;
        this.f16Fields = f16Fields;
    }

    /**
     * True when every f16 field of the row's blocks (the scales; for F16 the values) is finite: what
     * ggml_validate_row_data checks, and all a quantized block can get wrong from finite input.
     */
    public boolean finite(byte[] row, int off, int len) {
        if (f16Fields.length == 0) return true;
        int bb = blockBytes();
        for (int b = off; b < off + len; b += bb) {
            for (int f : f16Fields) {
                if (((row[b + f + 1] >> 2) & 0x1f) == 0x1f) return false; // exponent all ones: inf or NaN
            }
        }
        return true;
    }

    public int id() {
        return id;
    }

    public BlockQuantizer quantizer() {
        return quantizer;
    }

    public int blockSize() {
        return quantizer.blockSize();
    }

    public int blockBytes() {
        return quantizer.blockBytes();
    }

    /** The bits the plan speaks of (16 for the float types but F32). */
    public int nominalBits() {
        return nominalBits;
    }

    /**
     * Whether the rate–distortion plan may choose this type: the legacy and K-quant types, IQ4_NL, IQ4_XS and
     * MXFP4 (with them, plans at Q4_0's and Q4_K_M's sizes have lower KL divergence in 4 of the 6 shared-model
     * rows, equal in 1, higher in 1, mean over seeds 1-3). Not the ternary types: they suit only models
     * trained ternary.
     */
    public boolean candidate() {
        return this != TQ1_0 && this != TQ2_0 && !isFloat();
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Bytes of a row of {@code n} elements (n a multiple of the block size). */
    public long rowBytes(long n) {
        return n / blockSize() * blockBytes();
    }

    public static Optional<GgmlType> byId(int id) {
        for (GgmlType t : values()) if (t.id == id) return Optional.of(t);
        return Optional.empty();
    }

    /** Case-insensitive name lookup (q4_k, Q8_0, bf16...). */
    public static Optional<GgmlType> parse(String name) {
        for (GgmlType t : values()) if (t.name().equalsIgnoreCase(name.trim())) return Optional.of(t);
        return Optional.empty();
    }

    /** llama-quantize's fallback when a row does not divide into blocks (llama.cpp's llama-quant.cpp). */
    public GgmlType fallback() {
        switch (this) {
            case Q2_K: case Q3_K: case TQ1_0: case TQ2_0: return Q4_0;
            case IQ4_XS: case IQ3_S: case IQ3_XXS: case IQ2_S: case IQ2_XS: case IQ2_XXS: case IQ1_M: case IQ1_S:
                return IQ4_NL;
            case Q4_K: return Q5_0;
            case Q5_K: return Q5_1;
            case Q6_K: return Q8_0;
            default: return F16;
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
