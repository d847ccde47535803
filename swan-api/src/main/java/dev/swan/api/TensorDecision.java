package dev.swan.api;

/**
 * The precision chosen for one tensor.
 *
 * @param name      tensor name
 * @param bits      2, 3, 4, 5, 6 or 8 to quantize; 16 to keep the tensor in floating point
 * @param groupSize quantization group along the row (32, 64, 128), 0 when not quantized
 * @param reason    why, in the manifest's vocabulary (e.g. {@code protected_pattern}, {@code default},
 *                  {@code composite_score=0.712 >= 8bit_threshold})
 * @param composite the weighted score that drove the decision, NaN when no score applied
 * @param encoding  the output format's own name for how to store it (an {@link Encoding#id()}, e.g.
 *                  {@code Q4_K}), or empty to let the format map {@code bits} and {@code groupSize} by its
 *                  own rules
 */
public record TensorDecision(String name, int bits, int groupSize, String reason, double composite, String encoding) {

    public static final int FLOAT_BITS = 16;
    /** The reason of a decision an override made, followed by its pattern: formats let it win over a recipe. */
    public static final String OVERRIDE = "override:";

    public TensorDecision {
        if (encoding == null) encoding = "";
    }

    /** A decision the format maps by bits and group size. */
    public TensorDecision(String name, int bits, int groupSize, String reason, double composite) {
        this(name, bits, groupSize, reason, composite, "");
    }

    public boolean quantized() {
        return bits < FLOAT_BITS;
    }

    /** Whether a user's override made this decision (it then wins over a format's recipe). */
    public boolean isOverride() {
        return reason != null && reason.startsWith(OVERRIDE);
    }
}
