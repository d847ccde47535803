package dev.swan.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The result of re-reading an output the way its runtime would.
 *
 * @param output   what was checked
 * @param problems each a one-line finding that would make the runtime fail or misbehave; empty = valid
 * @param tensors  per-tensor details, with dequantization error when the source model was given
 */
public record VerifyReport(Path output, List<String> problems, List<Check> tensors) {

    public VerifyReport {
        problems = List.copyOf(problems);
        tensors = List.copyOf(tensors);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /**
     * @param name  tensor (source name)
     * @param type  stored type
     * @param nrmse ‖ŵ − w‖ / ‖w‖ against the source weight, NaN when no source was given
     * @param maxAbsError largest |ŵ − w|, NaN when no source was given
     */
    public record Check(String name, String type, double nrmse, double maxAbsError) {
    }
}
