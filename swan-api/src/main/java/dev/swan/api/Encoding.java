package dev.swan.api;

/**
 * One way an output format can store a tensor, with its exact cost: what a rate–distortion allocator
 * chooses among. Formats list a tensor's encodings through {@link OutputFormat#encodings}, honouring their
 * shape rules (only encodings whose blocks or groups divide the row, floats always).
 *
 * @param id        the format's name for it, as a {@link TensorDecision#encoding()} (e.g. {@code Q4_K},
 *                  {@code mlx:4:64}, {@code F16})
 * @param bits      the plan's bits it stands for (16 for floats)
 * @param groupSize the plan's group size (0 for floats and formats without groups)
 * @param bytes     bytes the tensor takes stored this way, scales and block headers included
 * @param quantizer the spec of its quantizer for {@link MetricContext#quantizer} ({@code gguf:Q4_K}), empty for floats
 * @param cost      how many times a typical encoding of the format writing it costs per weight (1: typical;
 *                  the GGUF lattice i-quants' searches: 8), so an allocator may keep costly ones for the plans
 *                  that need them ({@since SPI 1.8})
 */
public record Encoding(String id, int bits, int groupSize, long bytes, String quantizer, int cost) {

    public Encoding {
        if (cost < 1) throw new IllegalArgumentException("cost must be at least 1, got " + cost);
    }

    /** An encoding of typical cost. */
    public Encoding(String id, int bits, int groupSize, long bytes, String quantizer) {
        this(id, bits, groupSize, bytes, quantizer, 1);
    }

    /** True for float storage (no quantization error to measure). */
    public boolean isFloat() {
        return quantizer.isEmpty();
    }
}
