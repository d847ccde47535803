package dev.swan.api;

import dev.swan.api.numeric.Parallel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a format gets besides the model and the plan.
 *
 * @param parameters    the format's resolved parameters
 * @param parallel      thread budget for quantizing
 * @param progress      progress sink (tensors written / total)
 * @param provenance    one line on how the output was made (tool version, command), for model cards
 * @param inputEnergies per weight (Hugging Face name), the mean square of each of its input columns over the
 *                      self-calibration text: an importance matrix for importance-weighted quantizers; empty
 *                      when the run did not self-calibrate
 * @param method        how the plan was made, in a sentence (the allocator and what it weighed), for model
 *                      cards; empty when unknown ({@since SPI 1.5})
 * @param outputName    the file name the output gets once moved into place (the target written is a temporary
 *                      sibling), for formats that write companion files named after it; empty when unknown
 *                      ({@since SPI 1.7})
 */
public record FormatContext(Parameters parameters, Parallel parallel, ProgressSink progress, String provenance,
                            Map<String, float[]> inputEnergies, String method, String outputName) {

    public FormatContext {
        inputEnergies = Collections.unmodifiableMap(new LinkedHashMap<>(inputEnergies));
        method = method == null ? "" : method;
        outputName = outputName == null ? "" : outputName;
    }

    /** A context without the output's final name. */
    public FormatContext(Parameters parameters, Parallel parallel, ProgressSink progress, String provenance,
                         Map<String, float[]> inputEnergies, String method) {
        this(parameters, parallel, progress, provenance, inputEnergies, method, "");
    }

    /** A context without a method line. */
    public FormatContext(Parameters parameters, Parallel parallel, ProgressSink progress, String provenance,
                         Map<String, float[]> inputEnergies) {
        this(parameters, parallel, progress, provenance, inputEnergies, "");
    }

    /** A context without input energies. */
    public FormatContext(Parameters parameters, Parallel parallel, ProgressSink progress, String provenance) {
        this(parameters, parallel, progress, provenance, Map.of());
    }
}
