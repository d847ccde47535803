package dev.swan.format.gguf;

import dev.swan.api.ConfigException;
import dev.swan.api.Parameters;
import dev.swan.format.gguf.quant.WeightedQuants;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which column weights the quantizers get (parameter {@code importance}): none (ggml's reference
 * quantizers, llama-quantize without an imatrix, byte for byte), ones (ggml's importance-weighted paths with
 * every column equal: data-free), or an importance matrix: llama.cpp's file ({@code imatrix}) or the input
 * energies self-calibration measured (llama-quantize --imatrix, byte for byte for the same matrix).
 * {@code auto}, the default, chosen by measurement with swan eval: the matrix when there is one, else ones
 * (both beat the reference quantizers at equal size on the shared models).
 */
final class GgufImportance {
    static final GgufImportance NONE = new GgufImportance("none", Map.of());

    private final String mode;
    /** Per GGUF tensor name, per column. */
    private final Map<String, float[]> matrix;

    private GgufImportance(String mode, Map<String, float[]> matrix) {
        this.mode = mode;
        this.matrix = matrix;
    }

    /** From the parameters and the energies of the context (Hugging Face names, mapped to GGUF names). */
    static GgufImportance of(Parameters p, Map<String, float[]> energies, GgufArch arch) throws IOException {
        String mode = p.getString("importance");
        String file = p.getString("imatrix");
        Map<String, float[]> m = new LinkedHashMap<>();
        if (!file.isEmpty()) {
            m.putAll(GgufImatrix.read(Path.of(file)));
            GgufImatrix.checkFinite(Path.of(file), m);
        } else {
            energies.forEach((hf, v) -> arch.map(hf).ifPresent(g -> m.put(g, v)));
        }
        switch (mode) {
            case "none": return NONE;
            case "llama-quantize": // what llama-quantize does: the matrix file when given (--imatrix), else none
                return file.isEmpty() ? NONE : new GgufImportance("imatrix", m);
            case "ones": return new GgufImportance("ones", Map.of());
            case "imatrix":
                if (m.isEmpty()) {
                    throw new ConfigException("gguf", 0, 0, "importance=imatrix needs an importance matrix: give gguf.imatrix=FILE "
                            + "(llama-imatrix's output) or --self-calibrate N");
                }
                return new GgufImportance("imatrix", m);
            case "auto": return m.isEmpty() ? new GgufImportance("ones", Map.of()) : new GgufImportance("imatrix", m);
            default:
                throw new ConfigException("gguf", 0, 0, "importance must be auto, none, ones, imatrix or llama-quantize, got '"
                        + mode + "'");
        }
    }

    boolean isImatrix() {
        return mode.equals("imatrix");
    }

    /** The matrix, by GGUF name (empty unless {@link #isImatrix}). */
    Map<String, float[]> matrix() {
        return matrix;
    }

    /** The column weights of a tensor stored as {@code type}, or null for the reference path. */
    float[] columns(String gguf, int cols, GgmlType type) {
        if (!WeightedQuants.supports(type.name())) return null;
        switch (mode) {
            case "ones": {
                float[] ones = new float[cols];
                Arrays.fill(ones, 1f);
                return ones;
            }
            case "imatrix": {
                float[] v = matrix.get(gguf);
                if (v == null) return null; // llama-quantize, too, quantizes a tensor the matrix lacks without it
                if (v.length != cols) {
                    throw new ConfigException("gguf", 0, 0, "imatrix entry " + gguf + " has " + v.length + " values but the "
                            + "tensor has " + cols + " columns: the matrix was made for another model");
                }
                return v;
            }
            default:
                return null;
        }
    }
}
