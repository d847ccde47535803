package dev.swan.api.numeric;

/**
 * Moments and range of a tensor, accumulated in double in one pass over fixed-size blocks and merged
 * in block order (Pébay's pairwise formulas), so the result is exact to double rounding and the same
 * for any thread count. Shared by the metrics through the context: kurtosis, the noise step (range)
 * and rms all come from here.
 *
 * @param count      number of elements
 * @param mean       arithmetic mean
 * @param m2         Σ(x − mean)²
 * @param m3         Σ(x − mean)³
 * @param m4         Σ(x − mean)⁴
 * @param min        smallest element
 * @param max        largest element
 * @param sumSquares Σx²
 * @param nonFinite  number of NaN or infinite elements (excluded from the moments)
 */
public record TensorStats(long count, double mean, double m2, double m3, double m4, float min, float max,
                          double sumSquares, long nonFinite) {

    private static final int BLOCK = 1 << 16;

    /** Population variance (divides by N). */
    public double variance() {
        return count == 0 ? 0 : m2 / count;
    }

    public double std() {
        return Math.sqrt(variance());
    }

    /** Root mean square, √(Σx²/N). */
    public double rms() {
        return count == 0 ? 0 : Math.sqrt(sumSquares / count);
    }

    public double range() {
        return count == 0 ? 0 : (double) max - (double) min;
    }

    /** Population excess kurtosis N·m4/m2² − 3; 0 for fewer than 4 elements or variance below 1e-12. */
    public double excessKurtosis() {
        if (count < 4 || variance() < 1e-12) return 0;
        return count * m4 / (m2 * m2) - 3.0;
    }

    /** Statistics of {@code data}, computed block by block on {@code par}. */
    public static TensorStats of(float[] data, Parallel par) {
        int blocks = (data.length + BLOCK - 1) / BLOCK;
        TensorStats[] parts = new TensorStats[Math.max(blocks, 1)];
        if (blocks == 0) return new TensorStats(0, 0, 0, 0, 0, Float.NaN, Float.NaN, 0, 0);
        par.forEach(blocks, b -> parts[b] = ofRange(data, b * BLOCK, Math.min(data.length, (b + 1) * BLOCK)));
        TensorStats acc = parts[0];
        for (int b = 1; b < blocks; b++) acc = acc.merge(parts[b]);
        return acc;
    }

    /**
     * Statistics of a matrix read block by block (the same blocks, merged in the same order, as {@link
     * #of(float[], Parallel)}: the same result for a streamed and an in-memory copy).
     *
     * @since SPI 1.4
     */
    public static TensorStats of(MatrixRows w, Parallel par) {
        if (w instanceof FloatMatrix m) return of(m.data(), par);
        long n = w.size();
        int blocks = (int) ((n + BLOCK - 1) / BLOCK);
        if (blocks == 0) return new TensorStats(0, 0, 0, 0, 0, Float.NaN, Float.NaN, 0, 0);
        TensorStats[] parts = new TensorStats[blocks];
        par.forEach(blocks, b -> {
            long first = (long) b * BLOCK;
            int len = (int) Math.min(BLOCK, n - first);
            float[] buf = new float[len];
            w.readFloats(first, buf, 0, len);
            parts[b] = ofRange(buf, 0, len);
        });
        TensorStats acc = parts[0];
        for (int b = 1; b < blocks; b++) acc = acc.merge(parts[b]);
        return acc;
    }

    /** Statistics of {@code data[from, to)}, two passes over the (cache-resident) range. */
    public static TensorStats ofRange(float[] data, int from, int to) {
        long n = 0;
        long bad = 0;
        double sum = 0;
        double sumSq = 0;
        float mn = Float.POSITIVE_INFINITY;
        float mx = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            float v = data[i];
            if (!Float.isFinite(v)) {
                bad++;
                continue;
            }
            n++;
            sum += v;
            sumSq += (double) v * v;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
        }
        if (n == 0) return new TensorStats(0, 0, 0, 0, 0, Float.NaN, Float.NaN, 0, bad);
        double mean = sum / n;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (int i = from; i < to; i++) {
            float v = data[i];
            if (!Float.isFinite(v)) continue;
            double d = v - mean;
            double d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        return new TensorStats(n, mean, m2, m3, m4, mn, mx, sumSq, bad);
    }

    /** Combines the statistics of two disjoint parts (this first). */
    public TensorStats merge(TensorStats o) {
        if (o.count == 0) return new TensorStats(count, mean, m2, m3, m4, min, max, sumSquares, nonFinite + o.nonFinite);
        if (count == 0) return new TensorStats(o.count, o.mean, o.m2, o.m3, o.m4, o.min, o.max, o.sumSquares,
                nonFinite + o.nonFinite);
        double na = count;
        double nb = o.count;
        double n = na + nb;
        double delta = o.mean - mean;
        double d2 = delta * delta;
        double mean2 = mean + delta * nb / n;
        double nm2 = m2 + o.m2 + d2 * na * nb / n;
        double nm3 = m3 + o.m3 + d2 * delta * na * nb * (na - nb) / (n * n)
                + 3.0 * delta * (na * o.m2 - nb * m2) / n;
        double nm4 = m4 + o.m4 + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
                + 6.0 * d2 * (na * na * o.m2 + nb * nb * m2) / (n * n)
                + 4.0 * delta * (na * o.m3 - nb * m3) / n;
        return new TensorStats(count + o.count, mean2, nm2, nm3, nm4, Math.min(min, o.min), Math.max(max, o.max),
                sumSquares + o.sumSquares, nonFinite + o.nonFinite);
    }
}
