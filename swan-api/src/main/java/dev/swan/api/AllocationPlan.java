package dev.swan.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bits and group size for every tensor of a model, plus the settings that produced them (e.g. the
 * thresholds a budget search chose), which reports print.
 *
 * @param allocator id of the allocator that made the plan
 * @param settings  named values worth reporting (thresholds, target, achieved effective bits)
 * @param decisions one per tensor, in model order
 */
public record AllocationPlan(String allocator, Map<String, Object> settings, List<TensorDecision> decisions) {

    public AllocationPlan {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        decisions = List.copyOf(decisions);
    }

    public Optional<TensorDecision> decision(String tensor) {
        for (TensorDecision d : decisions) {
            if (d.name().equals(tensor)) return Optional.of(d);
        }
        return Optional.empty();
    }

    /** Decisions keyed by tensor name. */
    public Map<String, TensorDecision> byName() {
        Map<String, TensorDecision> m = new LinkedHashMap<>();
        for (TensorDecision d : decisions) m.put(d.name(), d);
        return m;
    }
}
