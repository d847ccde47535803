package dev.swan.format.gguf;

import dev.swan.api.ConfigException;
import dev.swan.api.Parameters;
import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.format.gguf.quant.WeightedQuants;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
            // an expert's slice goes to its row of the stack's matrix (llama-imatrix's layout: one row per expert)
            Map<String, Map<Integer, float[]>> experts = new LinkedHashMap<>();
            energies.forEach((hf, v) -> arch.map(hf).ifPresent(g -> {
                Optional<ExpertWeight> x = ExpertWeight.parse(hf).filter(w -> !w.isStack());
                if (x.isPresent()) experts.computeIfAbsent(g, k -> new TreeMap<>()).put(x.get().expert(), v);
                else m.put(g, v);
            }));
            experts.forEach((g, slices) -> m.put(g, stack(slices)));
        }
        switch (mode) {
            case "none": return NONE;
            case "llama-quantize": // what llama-quantize does: the matrix file when given (--imatrix), else none
                return file.isEmpty() ? new GgufImportance("reference", m) : new GgufImportance("imatrix", m);
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

    /**
     * Rows 0..max of an expert stack's matrix; an expert no position was routed to has no energies and
     * gets equal weights (ones), as the data-free path gives every column.
     */
    private static float[] stack(Map<Integer, float[]> slices) {
        int cols = slices.values().iterator().next().length;
        int experts = ((TreeMap<Integer, float[]>) slices).lastKey() + 1;
        float[] out = new float[cols * experts];
        Arrays.fill(out, 1f);
        slices.forEach((e, v) -> {
            boolean any = false;
            for (float f : v) any |= f > 0;
            if (any) System.arraycopy(v, 0, out, e * cols, cols);
        });
        return out;
    }

    /** The types llama-quantize writes only with an importance matrix (its tensor_requires_imatrix). */
    static boolean needsImportance(GgmlType type) {
        switch (type) {
            case IQ3_XXS: case IQ2_XXS: case IQ2_XS: case IQ2_S: case IQ1_M: case IQ1_S: return true;
            default: return false;
        }
    }

    boolean isImatrix() {
        return mode.equals("imatrix");
    }

    /** The matrix, by GGUF name (empty unless {@link #isImatrix}). */
    Map<String, float[]> matrix() {
        return matrix;
    }

    /**
     * The column weights of a tensor stored as {@code type}, or null for the reference path; for an expert
     * stack ({@code experts} > 0) {@code cols × experts} values, one row per expert (experts beyond the
     * matrix's rows get ones).
     */
    float[] columns(String gguf, int cols, GgmlType type, int experts) {
        if (!WeightedQuants.supports(type.name())) return null;
        String how = mode;
        if (mode.equals("reference")) {
            // llama-quantize refuses these types without a matrix; data-free they take self-calibration's, else ones
            if (!needsImportance(type)) return null;
            how = matrix.containsKey(gguf) ? "imatrix" : "ones";
        }
        switch (how) {
            case "ones": {
                float[] ones = new float[cols * Math.max(1, experts)];
                Arrays.fill(ones, 1f);
                return ones;
            }
            case "imatrix": {
                float[] v = matrix.get(gguf);
                if (v == null) return null; // llama-quantize, too, quantizes a tensor the matrix lacks without it
                if (experts > 0 && v.length % cols == 0 && v.length <= cols * experts) {
                    float[] all = new float[cols * experts];
                    Arrays.fill(all, 1f);
                    System.arraycopy(v, 0, all, 0, v.length);
                    return all;
                }
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
