package dev.swan.toolkit.numeric;

import dev.swan.api.numeric.Parallel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class MatMulTest {
    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static double[] naive(float[] a, int m, int n, float[] x, int q) {
        double[] c = new double[m * q];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < q; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += (double) a[i * n + k] * x[k * q + j];
                c[i * q + j] = s;
            }
        }
        return c;
    }

    private static float[] transpose(float[] a, int m, int n) {
        float[] t = new float[m * n];
        for (int i = 0; i < m; i++) for (int k = 0; k < n; k++) t[k * m + i] = a[i * n + k];
        return t;
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), "element " + i);
        }
    }

    /** Both implementations agree with a double-precision reference, on odd sizes that hit every tail path. */
    @Test
    void vectorAndScalarMatchReference() {
        Random r = new Random(5);
        Kernels vector = MatMul.vectorOrNull();
        assertNotNull(vector, "tests run with --add-modules jdk.incubator.vector");
        Parallel par = Parallel.of(new ForkJoinPool(2));
        int[][] sizes = {{7, 300, 5}, {130, 70, 64}, {65, 513, 256}, {4, 4, 33}, {200, 31, 96}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], q = s[2];
            float[] a = random(r, m * n);
            float[] x = random(r, n * q);
            float[] xt = random(r, m * q);
            double[] ref = naive(a, m, n, x, q);
            double[] refT = naive(transpose(a, m, n), n, m, xt, q);
            for (Kernels k : new Kernels[] {vector, MatMul.scalar()}) {
                float[] c = new float[m * q];
                k.multiply(a, m, n, x, q, c, par);
                assertClose(ref, c, 1e-4);
                float[] ct = new float[n * q];
                k.multiplyTransposed(a, m, n, xt, q, ct, par);
                assertClose(refT, ct, 1e-4);
            }
        }
    }

    /** The 4 × 4 tiles (AVX-512) and the 6 × 2 tiles (AVX2, NEON) give the same bits, tails included. */
    @Test
    void bothTileShapesGiveTheSameBits() {
        org.junit.jupiter.api.Assumptions.assumeTrue(MatMul.vectorOrNull() != null);
        Random r = new Random(9);
        Parallel par = Parallel.of(new ForkJoinPool(2));
        Kernels wide = new VectorKernels(true);
        Kernels narrow = new VectorKernels(false);
        int[][] sizes = {{7, 300, 5}, {130, 70, 64}, {65, 513, 256}, {4, 4, 33}, {200, 31, 96}, {61, 257, 40}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], q = s[2];
            float[] a = random(r, m * n);
            float[] x = random(r, n * q);
            float[] xt = random(r, m * q);
            float[] c1 = new float[m * q];
            float[] c2 = new float[m * q];
            wide.multiply(a, m, n, x, q, c1, par);
            narrow.multiply(a, m, n, x, q, c2, par);
            assertArrayEquals(c1, c2, m + "x" + n + "x" + q);
            float[] t1 = random(r, n * q);
            float[] t2 = t1.clone();
            wide.multiplyTransposedAdd(a, m, n, xt, q, t1, par);
            narrow.multiplyTransposedAdd(a, m, n, xt, q, t2, par);
            assertArrayEquals(t1, t2, "transposed " + m + "x" + n + "x" + q);
        }
    }

    @Test
    void gramsMatchReferenceInDouble() {
        Random r = new Random(6);
        int m = 300;
        int q = 37;
        float[] y = random(r, m * q);
        double[] g = MatMul.gram(y, m, q, Parallel.sequential());
        double[] rg = MatMul.rowGram(y, m, q, Parallel.sequential());
        for (int a = 0; a < q; a++) {
            for (int b = 0; b < q; b++) {
                double s = 0;
                for (int i = 0; i < m; i++) s += (double) y[i * q + a] * y[i * q + b];
                assertEquals(s, g[a * q + b], 1e-9 * (1 + Math.abs(s)));
            }
        }
        for (int a = 0; a < m; a += 17) {
            for (int b = 0; b < m; b += 13) {
                double s = 0;
                for (int k = 0; k < q; k++) s += (double) y[a * q + k] * y[b * q + k];
                assertEquals(s, rg[a * m + b], 1e-9 * (1 + Math.abs(s)));
            }
        }
    }

    /** Same bits whatever the thread count: tasks are split by size, not by threads. */
    @Test
    void resultsDoNotDependOnThreadCount() {
        Random r = new Random(8);
        int m = 333, n = 520, q = 64;
        float[] a = random(r, m * n);
        float[] x = random(r, n * q);
        float[] c1 = new float[m * q];
        float[] c2 = new float[m * q];
        MatMul.multiply(a, m, n, x, q, c1, Parallel.sequential());
        MatMul.multiply(a, m, n, x, q, c2, Parallel.of(new ForkJoinPool(2)));
        assertArrayEquals(c1, c2);
        float[] xt = random(r, m * q);
        float[] t1 = new float[n * q];
        float[] t2 = new float[n * q];
        MatMul.multiplyTransposed(a, m, n, xt, q, t1, Parallel.sequential());
        MatMul.multiplyTransposed(a, m, n, xt, q, t2, Parallel.of(new ForkJoinPool(3)));
        assertArrayEquals(t1, t2);
    }
}
