package dev.swan.api;

/**
 * How many bytes an output format spends on one tensor at a given precision, including scales, biases
 * and block headers: what budget searches and size predictions are computed from.
 */
@FunctionalInterface
public interface TensorSizer {

    /** Bytes for {@code tensor} at {@code bits} (16 = kept in float) and {@code groupSize}. */
    long bytes(TensorAnalysis tensor, int bits, int groupSize);

    /**
     * Bytes for {@code tensor} stored as {@code decision} says, its {@link TensorDecision#encoding()} included;
     * formats whose decisions may name an encoding override this.
     */
    default long bytes(TensorAnalysis tensor, TensorDecision decision) {
        return bytes(tensor, decision.bits(), decision.groupSize());
    }

    /**
     * Bytes the output takes beyond its tensors whatever the plan (headers, metadata, vocabulary), so a size
     * target can mean the whole output; 0 when the format cannot tell from the config.
     */
    default long fixedBytes() {
        return 0;
    }
}
