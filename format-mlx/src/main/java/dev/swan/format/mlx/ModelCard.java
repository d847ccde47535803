package dev.swan.format.mlx;

import dev.swan.api.model.ModelDir;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The output README.md: mlx-lm's model-card metadata, the allocation table, and how it was made. */
final class ModelCard {
    private ModelCard() {
    }

    static String render(ModelDir model, java.util.List<MlxLayout.Item> items, long bytes, String provenance, String method) {
        Map<String, long[]> rows = new TreeMap<>();
        long params = 0;
        for (MlxLayout.Item i : items) {
            String k = i.quantized() ? (i.mode().affine() ? String.format(Locale.ROOT, "%d-bit (group %d)", i.bits(), i.group()) : i.mode().id())
                    : "float (" + i.dtype() + ")";
            long[] acc = rows.computeIfAbsent(k, x -> new long[2]);
            acc[0]++;
            acc[1] += i.numel();
            params += i.numel();
        }
        StringBuilder sb = new StringBuilder();
        sb.append("---\nlibrary_name: mlx\npipeline_tag: text-generation\ntags:\n- mlx\n- swan\n- mixed-precision\n- quantized\n---\n\n");
        sb.append("# ").append(model.name()).append(" (SWAN mixed precision, MLX)\n\n");
        sb.append("Quantized with swan, each tensor at its own precision. How the plan was made: ")
                .append(method.isEmpty() ? "not recorded." : method).append("\n\n");
        sb.append("| precision | tensors | parameters | share |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %,d | %.1f%% |%n", e.getKey(), e.getValue()[0],
                    e.getValue()[1], 100.0 * e.getValue()[1] / Math.max(1, params)));
        }
        sb.append(String.format(Locale.ROOT, "%nBits per weight: %.3f (the safetensors files, scales, biases, float tensors "
                + "and headers included, over the %,d weights they store). Weight files: %.2f MiB.%n%n",
                bytes * 8.0 / Math.max(1, params), params, bytes / 1048576.0));
        sb.append("Made by: ").append(provenance).append("\n\n");
        sb.append("```python\nfrom mlx_lm import load, generate\n\nmodel, tokenizer = load(\"path/to/this/folder\")\n")
                .append("print(generate(model, tokenizer, prompt=\"Hello\", max_tokens=50))\n```\n");
        return sb.toString();
    }
}
