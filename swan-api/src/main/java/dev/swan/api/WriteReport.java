package dev.swan.api;

import java.nio.file.Path;
import java.util.List;

/**
 * What a format wrote.
 *
 * @param output  the path written (the temporary one; the launcher renames it into place)
 * @param bytes   total bytes on disk
 * @param tensors one entry per stored weight
 * @param warnings what the user must know about the output (e.g. a runtime will need a file it lacks), one line each
 */
public record WriteReport(Path output, long bytes, List<Written> tensors, List<String> warnings) {

    public WriteReport {
        tensors = List.copyOf(tensors);
        warnings = List.copyOf(warnings);
    }

    /** A report without warnings. */
    public WriteReport(Path output, long bytes, List<Written> tensors) {
        this(output, bytes, tensors, List.of());
    }

    /**
     * One stored weight.
     *
     * @param name   source tensor name
     * @param type   stored type, e.g. {@code affine4/g128}, {@code BF16}, {@code Q4_K}
     * @param bits   nominal bits per weight of the stored type (16 or 32 when kept in float)
     * @param params number of weights
     * @param bytes  bytes used, scales and biases included
     * @param note   why the stored type differs from the plan (shape fallback), or empty
     */
    public record Written(String name, String type, int bits, long params, long bytes, String note) {
    }
}
