package dev.swan.format.mlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AffineQuantizerTest {

    private static float[] linspace(float a, float b, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (a + (b - a) * i / (double) (n - 1));
        return x;
    }

    private static int[] words(int[] codes, int bits) {
        byte[] packed = new byte[codes.length * bits / 8];
        BitPacker.pack(codes, 0, codes.length, bits, packed, 0);
        ByteBuffer b = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
        int[] w = new int[packed.length / 4];
        for (int i = 0; i < w.length; i++) w[i] = b.getInt();
        return w;
    }

    /** mlx-format §1.5, first vector: linspace(-1, 0.5, 32), 4 bits. */
    @Test
    void workedVectorFourBitsPositiveScale() {
        float[] x = linspace(-1f, 0.5f, 32);
        int[] q = new int[32];
        float[] s = new float[1];
        float[] b = new float[1];
        AffineQuantizer.quantize(x, 0, 32, 1, 4, DType.BF16, q, s, b, 0);
        assertEquals(0x3DCD, HalfFloats.f32ToBf16(s[0]) & 0xffff);
        assertEquals(0xBF80, HalfFloats.f32ToBf16(b[0]) & 0xffff);
        int[] expected = new int[32];
        for (int i = 0; i < 32; i++) expected[i] = i / 2;
        assertArrayEquals(expected, q);
        assertArrayEquals(new int[] {0x33221100, 0x77665544, 0xBBAA9988, 0xFFEEDDCC}, words(q, 4));
    }

    /** Second vector: the same w at 3 bits; the top value clips to 7. */
    @Test
    void workedVectorThreeBits() {
        float[] x = linspace(-1f, 0.5f, 32);
        int[] q = new int[32];
        float[] s = new float[1];
        float[] b = new float[1];
        AffineQuantizer.quantize(x, 0, 32, 1, 3, DType.BF16, q, s, b, 0);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7,
                7, 7}, q);
        assertArrayEquals(new int[] {0x92449200, 0xDB248DB6, 0xFFFFB6D6}, words(q, 3));
        assertEquals(0.4f, AffineQuantizer.dequantize(7, 0.2f, -1.0f), 1e-6);
    }

    /** Third vector: linspace(-0.5, 1.0, 32): the larger edge is the max, so the scale is negative. */
    @Test
    void workedVectorNegativeScale() {
        float[] x = linspace(-0.5f, 1.0f, 32);
        int[] q = new int[32];
        float[] s = new float[1];
        float[] b = new float[1];
        AffineQuantizer.quantize(x, 0, 32, 1, 4, DType.BF16, q, s, b, 0);
        assertEquals(0xBDCD, HalfFloats.f32ToBf16(s[0]) & 0xffff);
        assertEquals(0x3F80, HalfFloats.f32ToBf16(b[0]) & 0xffff);
        int[] expected = new int[32];
        for (int i = 0; i < 32; i++) expected[i] = 15 - i / 2;
        assertArrayEquals(expected, q);
        assertArrayEquals(new int[] {0xCCDDEEFF, 0x8899AABB, 0x44556677, 0x00112233}, words(q, 4));
    }

    /** Properties at every bits and group size: |w − ŵ| ≤ |scale|, zero and constant groups exact, pack∘unpack = id. */
    @Test
    void randomGroupsAtEveryWidth() {
        Random r = new Random(12);
        for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
            for (int group : new int[] {32, 64, 128}) {
                for (DType dt : new DType[] {DType.BF16, DType.F16, DType.F32}) {
                    int groups = 20;
                    float[] x = new float[groups * group];
                    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(4) - 3));
                    for (int i = 0; i < group; i++) x[i] = 0f;                 // all-zero group
                    for (int i = group; i < 2 * group; i++) x[i] = 0.3125f;    // constant group
                    for (int i = 2 * group; i < 3 * group; i++) x[i] = -(float) Math.abs(r.nextGaussian()); // all negative
                    int[] q = new int[x.length];
                    float[] s = new float[groups];
                    float[] b = new float[groups];
                    AffineQuantizer.quantize(x, 0, group, groups, bits, dt, q, s, b, 0);
                    for (int i = 0; i < x.length; i++) {
                        assertTrue(q[i] >= 0 && q[i] < (1 << bits));
                        float w = AffineQuantizer.dequantize(q[i], s[i / group], b[i / group]);
                        // the stored scale/bias are rounded to dtype; allow that rounding on top of MLX's |scale| bound
                        double tol = Math.abs(s[i / group]) * 1.02 + Math.ulp(x[i]) * 8 + Math.abs(b[i / group]) * 0.01;
                        assertTrue(Math.abs(w - x[i]) <= tol, bits + "/" + group + "/" + dt + " element " + i);
                    }
                    for (int i = 0; i < group; i++) assertEquals(0f, AffineQuantizer.dequantize(q[i], s[0], b[0]));
                    if (dt == DType.F32) {
                        for (int i = group; i < 2 * group; i++) {
                            assertEquals(0.3125f, AffineQuantizer.dequantize(q[i], s[1], b[1]), "constant group exact");
                        }
                    }
                    byte[] packed = new byte[x.length * bits / 8];
                    BitPacker.pack(q, 0, q.length, bits, packed, 0);
                    for (int i = 0; i < q.length; i++) assertEquals(q[i], BitPacker.unpack(packed, 0, i, bits));
                }
            }
        }
    }
}
