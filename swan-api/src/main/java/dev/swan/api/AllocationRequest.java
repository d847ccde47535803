package dev.swan.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Input of a {@link BitAllocator}.
 *
 * @param tensors       analyses of every tensor of the model, in model order
 * @param metricWeights weight of each metric id in the composite score (from the pipeline)
 * @param policy        the user's protection, override, group-size and budget rules
 * @param parameters    the allocator's resolved parameters
 * @param sizer         bytes per tensor in the target format, for budget modes
 * @param encodings     per tensor name, every way the target format can store it with its exact bytes
 *                      (empty when the format offers no choice beyond bits)
 * @param sensitivity   per tensor name, what its error costs as measured on text the model generated itself
 *                      (KL divergence under injected noise); empty when not measured ({@code --self-calibrate})
 */
public record AllocationRequest(List<TensorAnalysis> tensors, Map<String, Double> metricWeights,
                                AllocationPolicy policy, Parameters parameters, TensorSizer sizer,
                                Map<String, List<Encoding>> encodings, Map<String, Sensitivity> sensitivity) {

    public AllocationRequest {
        tensors = List.copyOf(tensors);
        metricWeights = Collections.unmodifiableMap(new LinkedHashMap<>(metricWeights));
        Map<String, List<Encoding>> e = new LinkedHashMap<>();
        encodings.forEach((k, v) -> e.put(k, List.copyOf(v)));
        encodings = Collections.unmodifiableMap(e);
        sensitivity = Collections.unmodifiableMap(new LinkedHashMap<>(sensitivity));
    }

    /** A request without candidate encodings or measured sensitivities. */
    public AllocationRequest(List<TensorAnalysis> tensors, Map<String, Double> metricWeights, AllocationPolicy policy,
                             Parameters parameters, TensorSizer sizer) {
        this(tensors, metricWeights, policy, parameters, sizer, Map.of(), Map.of());
    }
}
