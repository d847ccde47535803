package dev.swan.api;

/**
 * How many bytes an output format spends on one tensor at a given precision, including scales, biases
 * and block headers: what budget searches and size predictions are computed from.
 */
@FunctionalInterface
public interface TensorSizer {

    /** Bytes for {@code tensor} at {@code bits} (16 = kept in float) and {@code groupSize}. */
    long bytes(TensorAnalysis tensor, int bits, int groupSize);
}
