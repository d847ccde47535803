package dev.swan.format.mlx;

import dev.swan.api.model.ModelConfig;
import dev.swan.api.tensor.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The output {@code config.json} (mlx-lm's utils.py (load, save_config)): the source config plus {@code quantization} (global
 * group size, bits, mode, and one {@code {"group_size", "bits"}} entry per module whose precision differs
 * from the global one, with its {@code mode} where that differs) and an identical {@code quantization_config}. Like
 * mlx-lm's save_config: top-level keys sorted, {@code _name_or_path} and {@code vision_config} dropped.
 */
final class MlxConfig {
    private MlxConfig() {
    }

    static Map<String, Object> build(ModelConfig source, List<MlxLayout.Item> items, DType castTo) {
        Map<String, Object> out = new TreeMap<>(source.raw());
        // the weights were cast: the config says to what (mlx_lm and transformers read torch_dtype)
        if (castTo != null) out.put("torch_dtype", castTo == DType.BF16 ? "bfloat16" : castTo == DType.F16 ? "float16" : "float32");
        out.remove("_name_or_path");
        out.remove("vision_config");
        out.remove("quantization");
        out.remove("quantization_config");
        // say whether the head is tied as the output stores it: mlx_lm's default (true for llama) and the
        // source's (false in transformers) differ, and a load must not depend on which one applies
        if (!source.hasTieWordEmbeddings()) {
            out.put("tie_word_embeddings", items.stream().noneMatch(i -> i.source().name().equals("lm_head.weight")));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (MlxLayout.Item i : items) {
            if (i.quantized()) counts.merge(i.bits() + "/" + i.group() + "/" + i.mode().id(), 1, Integer::sum);
        }
        if (counts.isEmpty()) return out;
        String[] global = counts.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey().split("/");
        int gBits = Integer.parseInt(global[0]);
        int gGroup = Integer.parseInt(global[1]);
        String gMode = global[2];
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("group_size", gGroup);
        q.put("bits", gBits);
        q.put("mode", gMode);
        for (MlxLayout.Item i : items) {
            if (i.quantized() && (i.bits() != gBits || i.group() != gGroup || !i.mode().id().equals(gMode))) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("group_size", i.group());
                e.put("bits", i.bits());
                // a module's entry goes to to_quantized as it is, whose mode defaults to affine: say it where
                // any mode is not affine
                if (!i.mode().affine() || !gMode.equals("affine")) e.put("mode", i.mode().id());
                q.put(i.path(), e);
            }
        }
        out.put("quantization", q);
        out.put("quantization_config", new LinkedHashMap<>(q));
        return out;
    }
}
