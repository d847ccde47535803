package dev.swan.format.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API fitters give the scalar reference's bits on every input shape the K-quants meet: random
 * data of several scales, heavy tails, constant and all-zero sub-blocks, runs that are not a multiple of
 * eight sub-blocks, denormal-sized values. The golden vectors then tie both to ggml.
 */
class SubBlockFitterTest {
    /** n, nmax, rmin, nstep, useMad of Q4_K, Q5_K and Q2_K. */
    private static final Object[][] PARAMS = {{32, 15, -1.0f, 20, false}, {32, 31, -0.5f, 15, false}, {16, 3, -0.5f, 15, true}};

    @Test
    void vectorLanesGiveTheReferenceBits() {
        Random r = new Random(7);
        for (Object[] p : PARAMS) {
            int n = (int) p[0];
            int nmax = (int) p[1];
            float rmin = (float) p[2];
            int nstep = (int) p[3];
            boolean mad = (boolean) p[4];
            for (int trial = 0; trial < 400; trial++) {
                int count = trial % 5 == 4 ? 11 : 8 * (1 + trial % 2);
                float[] x = new float[n * count + 3];
                // trial 6 mod 7: denormal-sized values, where the scale overflows and the scalar loop takes over
                float scale = trial % 7 == 6 ? 1e-40f : (float) Math.pow(10, r.nextInt(7) - 4);
                for (int i = 0; i < x.length; i++) {
                    double g = r.nextGaussian();
                    x[i] = (float) (trial % 3 == 0 ? scale * g * g * g : scale * g);
                }
                // a constant sub-block, an all-zero one and a positive-only one
                for (int i = 0; i < n; i++) {
                    x[3 + n + i] = 0.25f * scale;
                    x[3 + 2 * n + i] = 0f;
                    x[3 + 3 * n + i] = Math.abs(x[3 + 3 * n + i]);
                }
                float[] w = new float[n * count];
                for (int i = 0; i < w.length; i++) w[i] = Math.abs(x[3 + i]) + (mad ? 0 : 0.1f * scale);
                float[] s1 = new float[count];
                float[] m1 = new float[count];
                int[] l1 = new int[n * count];
                float[] s2 = new float[count];
                float[] m2 = new float[count];
                int[] l2 = new int[n * count];
                new ScalarSubBlockFitter().fit(count, n, nmax, x, 3, w, s1, m1, l1, rmin, 0.1f, nstep, mad);
                new VectorSubBlockFitter().fit(count, n, nmax, x, 3, w, s2, m2, l2, rmin, 0.1f, nstep, mad);
                String what = "nmax " + nmax + " trial " + trial;
                for (int j = 0; j < count; j++) {
                    assertEquals(Float.floatToRawIntBits(s1[j]), Float.floatToRawIntBits(s2[j]), what + " scale " + j);
                    assertEquals(m1[j], m2[j], 0f, what + " min " + j);
                }
                assertArrayEquals(l1, l2, what);
            }
        }
    }

    /** make_qx_quants (Q6_K): the same, including sub-blocks below ggml's epsilon and tiny values. */
    @Test
    void symmetricLanesGiveTheReferenceBits() {
        Random r = new Random(9);
        for (int trial = 0; trial < 600; trial++) {
            int n = 16;
            int count = trial % 5 == 4 ? 13 : 16;
            float[] x = new float[n * count + 1];
            float scale = trial % 7 == 6 ? 1e-16f : (float) Math.pow(10, r.nextInt(9) - 6);
            for (int i = 0; i < x.length; i++) {
                double g = r.nextGaussian();
                x[i] = (float) (trial % 3 == 0 ? scale * g * g * g : scale * g);
            }
            for (int i = 0; i < n; i++) {
                x[1 + i] = 0f;
                x[1 + n + i] = -0.5f * scale;
            }
            float[] s1 = new float[count];
            int[] l1 = new int[n * count];
            float[] s2 = new float[count];
            int[] l2 = new int[n * count];
            new ScalarSubBlockFitter().fitSymmetric(count, n, 32, x, 1, s1, l1);
            new VectorSubBlockFitter().fitSymmetric(count, n, 32, x, 1, s2, l2);
            for (int j = 0; j < count; j++) {
                assertEquals(Float.floatToRawIntBits(s1[j]), Float.floatToRawIntBits(s2[j]), "trial " + trial + " scale " + j);
            }
            assertArrayEquals(l1, l2, "trial " + trial);
        }
    }
}
