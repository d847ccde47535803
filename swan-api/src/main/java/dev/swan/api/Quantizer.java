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

    /**
     * How many times a typical encoding of the format a round trip of this one costs per weight (1: typical);
     * a metric that measures every encoding may measure a costly one on every {@code cost()}-th sampled row.
     * Since SPI 1.8.
     */
    default int cost() {
        return 1;
    }

    /** What a row round trip does, for {@link #of}. */
    @FunctionalInterface
    interface RoundTrip {
        void apply(float[] row, float[] out);
    }

    /** A quantizer from its spec, block size and round trip: what formats hand out from {@code quantizer(spec)}. */
    static Quantizer of(String spec, int blockSize, RoundTrip roundTrip) {
        return of(spec, blockSize, 1, roundTrip);
    }

    /** As {@link #of(String, int, RoundTrip)} with a relative {@link #cost()}. */
    static Quantizer of(String spec, int blockSize, int cost, RoundTrip roundTrip) {
        if (cost < 1) throw new IllegalArgumentException("cost must be at least 1, got " + cost);
        return new Quantizer() {
            @Override
            public int cost() {
                return cost;
            }

            @Override
            public String spec() {
                return spec;
            }

            @Override
            public int blockSize() {
                return blockSize;
            }

            @Override
            public void roundTrip(float[] row, float[] out) {
                roundTrip.apply(row, out);
            }
        };
    }
}
