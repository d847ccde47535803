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
 */
public record AllocationRequest(List<TensorAnalysis> tensors, Map<String, Double> metricWeights,
                                AllocationPolicy policy, Parameters parameters, TensorSizer sizer) {

    public AllocationRequest {
        tensors = List.copyOf(tensors);
        metricWeights = Collections.unmodifiableMap(new LinkedHashMap<>(metricWeights));
    }
}
