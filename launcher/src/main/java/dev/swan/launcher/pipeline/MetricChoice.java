package dev.swan.launcher.pipeline;

import java.util.Map;

/**
 * One metric of a pipeline as configured: plugin id, weight in the composite, raw parameters.
 */
public record MetricChoice(String id, double weight, Map<String, Object> parameters) {
    public MetricChoice {
        parameters = Map.copyOf(parameters);
    }
}
