package dev.swan.api;

import dev.swan.api.numeric.Parallel;

/**
 * What a format gets besides the model and the plan.
 *
 * @param parameters the format's resolved parameters
 * @param parallel   thread budget for quantizing
 * @param progress   progress sink (tensors written / total)
 * @param provenance one line on how the output was made (tool version, command), for model cards
 */
public record FormatContext(Parameters parameters, Parallel parallel, ProgressSink progress, String provenance) {
}
