package dev.swan.launcher.pipeline;

import dev.swan.api.AllocationPlan;
import dev.swan.api.TensorAnalysis;
import java.util.List;
import java.util.Map;

/**
 * An analysis (and the plan made from it), as stored in {@code manifest.json}: enough to re-allocate
 * without touching the weights, and to write the output later.
 *
 * @param swanVersion   tool version that made it
 * @param created       ISO-8601 time
 * @param modelPath     model directory as given
 * @param modelConfig   the model's config.json (sizers need it)
 * @param fingerprint   model weights fingerprint
 * @param seed          global seed
 * @param metrics       per metric: id, version, weight, parameters
 * @param tensors       analyses in model order
 * @param seconds       per tensor, seconds per metric
 * @param allocator     id, version, parameters of the allocator that made {@code plan}
 * @param policy        the allocation policy, encoded
 * @param plan          the plan
 * @param analysisSeconds wall time of the analysis
 * @param inputEnergies  self-calibration's importance matrix (per weight, per input column), which the write
 *                       rounds with; stored beside the manifest file ({@link ImportanceFile})
 */
public record Manifest(String swanVersion, String created, String modelPath, Map<String, Object> modelConfig,
                       String fingerprint, long seed, List<Map<String, Object>> metrics, List<TensorAnalysis> tensors,
                       Map<String, Map<String, Double>> seconds, Map<String, Object> allocator,
                       Map<String, Object> policy, AllocationPlan plan, double analysisSeconds,
                       Map<String, float[]> inputEnergies) {

    public static final String SCHEMA = "swan-manifest/1";

    public Manifest withPlan(Map<String, Object> allocatorInfo, Map<String, Object> policyInfo, AllocationPlan p) {
        return new Manifest(swanVersion, created, modelPath, modelConfig, fingerprint, seed, metrics, tensors, seconds,
                allocatorInfo, policyInfo, p, analysisSeconds, inputEnergies);
    }

    /** Metric weights as recorded. */
    public Map<String, Double> weights() {
        Map<String, Double> w = new java.util.LinkedHashMap<>();
        for (Map<String, Object> m : metrics) w.put((String) m.get("id"), ((Number) m.get("weight")).doubleValue());
        return w;
    }
}
