package dev.swan.format.gguf;

import dev.swan.api.model.ModelConfig;
import java.util.Map;

/** Llama 3.x's rope scaling, which GGUF expresses as a {@code rope_freqs.weight} tensor (llama.cpp's gguf-py constants and its model loader). */
final class RopeFreqs {
    private RopeFreqs() {
    }

    /** The factors, or null when the config has no llama3 rope scaling. */
    static float[] llama3(ModelConfig c) {
        Map<String, Object> rs = c.ropeScaling().orElse(null);
        if (rs == null) return null;
        Object type = rs.getOrDefault("rope_type", rs.get("type"));
        if (!"llama3".equals(type)) return null;
        double base = c.ropeTheta().orElse(10000);
        int dim = c.headDim().orElse(0);
        double factor = num(rs.get("factor"), 8.0);
        double lo = num(rs.get("low_freq_factor"), 1.0);
        double hi = num(rs.get("high_freq_factor"), 4.0);
        double old = c.optDouble("original_max_position_embeddings")
                .orElse(num(rs.get("original_max_position_embeddings"), 8192));
        float[] out = new float[dim / 2];
        for (int k = 0; k < dim / 2; k++) {
            double freq = 1.0 / Math.pow(base, 2.0 * k / dim);
            double wavelen = 2 * Math.PI / freq;
            double f;
            if (wavelen < old / hi) {
                f = 1;
            } else if (wavelen > old / lo) {
                f = factor;
            } else {
                double smooth = (old / wavelen - lo) / (hi - lo);
                f = 1 / ((1 - smooth) / factor + smooth);
            }
            out[k] = (float) f;
        }
        return out;
    }

    private static double num(Object o, double def) {
        return o instanceof Number ? ((Number) o).doubleValue() : def;
    }
}
