package dev.swan.eval;

import dev.swan.api.ModelFormatException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Rotary position embeddings in the Hugging Face layout ({@code rotate_half}: element i of a head pairs
 * with element i + headDim/2), with the config's base and the rope_scaling kinds Llama 3 and its
 * predecessors use: {@code linear} (positions divided by the factor) and {@code llama3} (long wavelengths
 * slowed by the factor, a smooth blend between); per-dimension factors from a GGUF {@code rope_freqs}
 * tensor divide the frequencies as llama.cpp does.
 */
final class Rope {
    private final double[] invFreq;

    Rope(Architecture a, float[] freqFactors) {
        int half = a.headDim() / 2;
        invFreq = new double[half];
        for (int i = 0; i < half; i++) invFreq[i] = 1.0 / Math.pow(a.ropeTheta(), 2.0 * i / a.headDim());
        if (a.ropeScaling().isPresent()) scale(a.ropeScaling().get());
        if (freqFactors != null) {
            for (int i = 0; i < half; i++) invFreq[i] /= freqFactors[i];
        }
    }

    static void checkScaling(Map<String, Object> s, Path file) {
        String type = type(s);
        switch (type) {
            case "default": return;
            case "linear":
                if (!(s.get("factor") instanceof Number)) throw new ModelFormatException(file, "rope_scaling.factor", "missing");
                return;
            case "llama3":
                for (String k : new String[] {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
                    if (!(s.get(k) instanceof Number)) throw new ModelFormatException(file, "rope_scaling." + k, "missing (llama3 scaling needs it)");
                }
                return;
            default:
                throw new ModelFormatException(file, "rope_scaling", "type '" + type + "' is not supported by swan eval "
                        + "(supported: linear, llama3)");
        }
    }

    private static String type(Map<String, Object> s) {
        Object t = s.containsKey("rope_type") ? s.get("rope_type") : s.get("type");
        return t == null ? "default" : String.valueOf(t);
    }

    private void scale(Map<String, Object> s) {
        String type = type(s);
        if (type.equals("linear")) {
            double f = ((Number) s.get("factor")).doubleValue();
            for (int i = 0; i < invFreq.length; i++) invFreq[i] /= f;
        } else if (type.equals("llama3")) {
            double factor = ((Number) s.get("factor")).doubleValue();
            double low = ((Number) s.get("low_freq_factor")).doubleValue();
            double high = ((Number) s.get("high_freq_factor")).doubleValue();
            double old = ((Number) s.get("original_max_position_embeddings")).doubleValue();
            double lowWavelen = old / low;
            double highWavelen = old / high;
            for (int i = 0; i < invFreq.length; i++) {
                double wavelen = 2 * Math.PI / invFreq[i];
                if (wavelen > lowWavelen) {
                    invFreq[i] /= factor;
                } else if (wavelen >= highWavelen) {
                    double smooth = (old / wavelen - low) / (high - low);
                    invFreq[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
                }
            }
        }
    }

    /** cos and sin of every position × frequency, [positions × headDim/2] each, for {@link #apply}. */
    float[][] table(int positions) {
        return table(0, positions);
    }

    /** As {@link #table(int)} for positions {@code from .. from + positions - 1}. */
    float[][] table(int from, int positions) {
        int half = invFreq.length;
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) ((from + p) * invFreq[i]);
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /** cos and sin at one position (a one-position {@link #table}, for incremental decoding). */
    float[][] tableAt(int position) {
        int half = invFreq.length;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int i = 0; i < half; i++) {
            float angle = (float) (position * invFreq[i]);
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
        return new float[][] {cos, sin};
    }

    /**
     * Rotates {@code heads} heads of {@code x} in place; x is feature-major ({@code x[(h·headDim + d)·t + p]}
     * for position p of t).
     */
    static void apply(float[] x, int heads, int headDim, int t, float[][] table) {
        int half = headDim / 2;
        float[] cos = table[0];
        float[] sin = table[1];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                int a = (h * headDim + i) * t;
                int b = (h * headDim + i + half) * t;
                for (int p = 0; p < t; p++) {
                    float c = cos[p * half + i];
                    float s = sin[p * half + i];
                    float x1 = x[a + p];
                    float x2 = x[b + p];
                    x[a + p] = x1 * c - x2 * s;
                    x[b + p] = x2 * c + x1 * s;
                }
            }
        }
    }
}
