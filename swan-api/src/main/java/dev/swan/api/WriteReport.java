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
 * @param companions further files written beside the output (a split model's other parts), each under a
 *                 temporary name that begins with the output's temporary name, with the file name it gets beside
 *                 the output once in place: the launcher moves them into place with the output, and deletes
 *                 them when the run fails or is stopped ({@since SPI 1.7})
 */
public record WriteReport(Path output, long bytes, List<Written> tensors, List<String> warnings,
                          java.util.Map<Path, String> companions) {

    public WriteReport {
        tensors = List.copyOf(tensors);
        warnings = List.copyOf(warnings);
        companions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(companions));
    }

    /** A report without companion files. */
    public WriteReport(Path output, long bytes, List<Written> tensors, List<String> warnings) {
        this(output, bytes, tensors, warnings, java.util.Map.of());
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
