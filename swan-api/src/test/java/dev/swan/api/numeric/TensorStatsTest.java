package dev.swan.api.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class TensorStatsTest {

    @Test
    void matchesTwoPassReferenceAndIgnoresThreadCount() {
        Random r = new Random(2);
        float[] x = new float[300_001];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 0.02 + 0.001 + (i % 997 == 0 ? 0.5 : 0));
        double mean = 0;
        for (float v : x) mean += v;
        mean /= x.length;
        double m2 = 0, m4 = 0, ss = 0;
        for (float v : x) {
            double d = v - mean;
            m2 += d * d;
            m4 += d * d * d * d;
            ss += (double) v * v;
        }
        double kurt = x.length * m4 / (m2 * m2) - 3;
        TensorStats s = TensorStats.of(x, Parallel.sequential());
        assertEquals(mean, s.mean(), 1e-12);
        assertEquals(m2 / x.length, s.variance(), 1e-12 * m2 / x.length);
        assertEquals(kurt, s.excessKurtosis(), 1e-9 * Math.abs(kurt));
        assertEquals(Math.sqrt(ss / x.length), s.rms(), 1e-12);
        TensorStats p = TensorStats.of(x, Parallel.of(new ForkJoinPool(2)));
        assertEquals(s, p, "identical for any thread count");
    }

    @Test
    void gaussianKurtosisNearZeroAndConstantIsZero() {
        Random r = new Random(3);
        float[] x = new float[1 << 20];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        assertEquals(0, TensorStats.of(x, Parallel.sequential()).excessKurtosis(), 0.02);
        float[] c = new float[5000];
        java.util.Arrays.fill(c, 0.25f);
        assertEquals(0, TensorStats.of(c, Parallel.sequential()).excessKurtosis());
    }

    /** Read block by block from a source that is not in memory, the statistics are the same bits. */
    @Test
    void streamedStatisticsEqualInMemoryOnes() {
        java.util.Random r = new java.util.Random(3);
        float[] a = new float[300_001];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 0.02);
        a[77_777] = Float.NaN;
        FloatMatrix m = new FloatMatrix(a, 1, a.length);
        MatrixRows fileLike = new MatrixRows() {
            public int rows() {
                return 1;
            }

            public int cols() {
                return a.length;
            }

            public void readFloats(long first, float[] dst, int off, int count) {
                System.arraycopy(a, (int) first, dst, off, count);
            }
        };
        Parallel two = Parallel.of(new java.util.concurrent.ForkJoinPool(2));
        assertEquals(TensorStats.of(a, Parallel.sequential()), TensorStats.of(fileLike, two));
        assertEquals(TensorStats.of(m, two), TensorStats.of(fileLike, Parallel.sequential()));
    }
}
