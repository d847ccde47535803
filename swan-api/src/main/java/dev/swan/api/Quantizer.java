package dev.swan.api;

/**
 * A real target quantizer offered by an output format, so metrics can measure the error the output
 * will actually have. Stateless and thread-safe.
 */
public interface Quantizer {

    /** The spec it was looked up by, e.g. {@code mlx:4:64} or {@code gguf:Q4_K}. */
    String spec();

    /** Row lengths must be a multiple of this for {@link #roundTrip} to apply. */
    int blockSize();

    /** Quantizes {@code row} and writes the dequantized values into {@code out} (same length). */
    void roundTrip(float[] row, float[] out);
}
