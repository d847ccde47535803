package dev.swan.testkit;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import java.util.Random;

/** The synthetic matrices of swan-method Appendix B, for metric tests. */
public final class Matrices {
    private Matrices() {
    }

    public static FloatMatrix gaussian(int m, int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        return new FloatMatrix(a, m, n);
    }

    /** i.i.d. Student-t with 3 degrees of freedom. */
    public static FloatMatrix studentT3(int m, int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            double chi = 0;
            for (int k = 0; k < 3; k++) {
                double x = r.nextGaussian();
                chi += x * x;
            }
            a[i] = (float) (r.nextGaussian() / Math.sqrt(chi / 3));
        }
        return new FloatMatrix(a, m, n);
    }

    /** U·V with U (m×8), V (8×n) Gaussian, plus 0.1 × Gaussian noise. */
    public static FloatMatrix rank8PlusNoise(int m, int n, long seed) {
        Random r = new Random(seed);
        float[] u = new float[m * 8];
        float[] v = new float[8 * n];
        for (int i = 0; i < u.length; i++) u[i] = (float) r.nextGaussian();
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        float[] a = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int k = 0; k < 8; k++) s += u[i * 8 + k] * v[k * n + j];
                a[i * n + j] = s + 0.1f * (float) r.nextGaussian();
            }
        }
        return new FloatMatrix(a, m, n);
    }

    /**
     * The same values as a matrix read from a file would be (not a {@link FloatMatrix}), so a metric takes
     * its block-by-block path: what the host hands it for a tensor too large to copy.
     */
    public static MatrixRows streamed(FloatMatrix m) {
        return new MatrixRows() {
            @Override
            public int rows() {
                return m.rows();
            }

            @Override
            public int cols() {
                return m.cols();
            }

            @Override
            public void readFloats(long first, float[] dst, int dstOffset, int count) {
                m.readFloats(first, dst, dstOffset, count);
            }
        };
    }
}
