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
     * The largest NRMSE a tensor can show against the model it was made from: storing zeros gives 1, so a
     * quantized tensor beyond that (and a float copy beyond rounding) was made from another model.
     */
    public static double sourceErrorBound(boolean quantized) {
        return quantized ? 1.0 : 0.01;
    }

    /** The problem line for a tensor whose error against {@code --source} no quantizer could produce. */
    public static String sourceMismatch(String tensor, String type, double nrmse) {
        return tensor + ": error " + String.format(java.util.Locale.ROOT, "%.3g", nrmse) + " (NRMSE) against the source is"
                + " beyond what " + type + " loses: --source is not the model this output was made from";
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
