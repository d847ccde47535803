package dev.swan.api.numeric;

import java.nio.charset.StandardCharsets;

/**
 * A small, fully specified pseudo-random generator (xoshiro256**, seeded through SplitMix64) with
 * uniform and Gaussian draws. Unlike {@code java.util.Random} defaults, every draw here is defined by
 * this code alone (StrictMath for the Gaussian), so a given seed gives the same numbers on every JVM.
 * Not thread-safe: give each thread or each row its own instance (see {@link #derive}).
 */
public final class SeededRandom {
    private long s0;
    private long s1;
    private long s2;
    private long s3;
    private double spareGaussian;
    private boolean hasSpare;

    public SeededRandom(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    /** The seed for one named stream of one tensor: a hash of the global seed, tensor name and stream. */
    public static long seedFor(long globalSeed, String tensorName, String stream) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : (tensorName + '\u0000' + stream).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return splitMix(h ^ splitMix(globalSeed));
    }

    /** A generator for sub-stream {@code index} of {@code seed}, e.g. one per matrix row, so parallel fills are deterministic. */
    public static SeededRandom derive(long seed, long index) {
        return new SeededRandom(splitMix(seed ^ splitMix(index + 0x632BE59BD9B4E019L)));
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Standard normal draw (Box–Muller, pairs cached). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 <= 0.0);
        double u2 = nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spareGaussian = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }
}
