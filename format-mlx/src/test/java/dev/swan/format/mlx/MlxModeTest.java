package dev.swan.format.mlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The microscaling modes worked by hand from their definitions (OCP MX: E2M1 0, 0.5, 1, 1.5, 2, 3, 4, 6 and
 * E4M3 with bias 7, largest 448; E8M0 a power of two with bias 127) and MLX's Metal kernel: scale = largest
 * magnitude / 6 (or 448), encoded; each value times the reciprocal of the decoded scale, encoded; codes low
 * nibble first.
 */
class MlxModeTest {
    @Test
    void mxfp4OneGroup() {
        float[] x = new float[32];
        float[] v = {3.0f, -1.5f, 0.25f, 0.3f, 0.74f, 0.76f};
        System.arraycopy(v, 0, x, 0, v.length);
        byte[] codes = new byte[16];
        byte[] scales = new byte[1];
        MlxMode.MXFP4.quantizeRow(x, 0, 32, codes, 0, scales, 0);
        // 3.0 / 6 = 0.5 = 2^-1: E8M0 126; values doubled: 6, -3, 0.5, 0.6, 1.48, 1.52
        assertEquals(126, scales[0] & 0xff);
        assertEquals(0xD7, codes[0] & 0xff); // 6 → 7, −3 → 0x8 | 5
        assertEquals(0x11, codes[1] & 0xff); // 0.5 and 0.6 → 0.5
        assertEquals(0x33, codes[2] & 0xff); // 1.48 and 1.52 → 1.5
        for (int i = 3; i < 16; i++) assertEquals(0, codes[i]);
        float[] y = new float[32];
        MlxMode.MXFP4.dequantizeRow(codes, 0, scales, 0, 32, y, 0);
        assertArrayEquals(new float[] {3.0f, -1.5f, 0.25f, 0.25f, 0.75f, 0.75f}, java.util.Arrays.copyOf(y, 6));
    }

    @Test
    void nvfp4ScalesAreE4m3() {
        float[] x = new float[32];
        x[0] = 12.0f;
        x[1] = -0.9f;
        x[16] = 7.5f; // second group: 7.5 / 6 = 1.25, exactly an E4M3 value
        x[17] = 2.0f;
        byte[] codes = new byte[16];
        byte[] scales = new byte[2];
        MlxMode.NVFP4.quantizeRow(x, 0, 32, codes, 0, scales, 0);
        assertEquals(0x40, scales[0] & 0xff); // 2.0 = 2^1: exponent 1 + 7, mantissa 0
        assertEquals(0x3A, scales[1] & 0xff); // 1.25: exponent 7, mantissa 2/8
        assertEquals(0x97, codes[0] & 0xff); // 6 → 7; −0.45 → 0x8 | 1
        assertEquals(0x37, codes[8] & 0xff); // 6 → 7; 1.6 → 1.5 (3)
        float[] y = new float[32];
        MlxMode.NVFP4.dequantizeRow(codes, 0, scales, 0, 32, y, 0);
        assertEquals(12.0f, y[0]);
        assertEquals(-1.0f, y[1]);
        assertEquals(7.5f, y[16]);
        assertEquals(1.875f, y[17]);
    }

    @Test
    void mxfp8ValuesAreE4m3() {
        float[] x = new float[32];
        x[0] = 896f;
        x[1] = 3.0f;
        x[2] = -0.001f;
        byte[] codes = new byte[32];
        byte[] scales = new byte[1];
        MlxMode.MXFP8.quantizeRow(x, 0, 32, codes, 0, scales, 0);
        // 896 / 448 = 2 = 2^1: E8M0 128; values halved: 448 (the largest E4M3), 1.5, −0.0005 (below half the
        // smallest subnormal 2^-9: a negative zero)
        assertEquals(128, scales[0] & 0xff);
        assertEquals(0x7E, codes[0] & 0xff);
        assertEquals(0x3C, codes[1] & 0xff);
        assertEquals(0x80, codes[2] & 0xff);
        float[] y = new float[32];
        MlxMode.MXFP8.dequantizeRow(codes, 0, scales, 0, 32, y, 0);
        assertEquals(896f, y[0]);
        assertEquals(3.0f, y[1]);
        assertEquals(-0.0f, y[2]);
    }

    @Test
    void elementCodecs() {
        assertEquals(128, MlxMode.toE8m0(1.5f)); // log2 1.5 = 0.585 rounds to 1
        assertEquals(127, MlxMode.toE8m0(1.4f)); // 0.485 rounds to 0
        assertEquals(0x7E, MlxMode.toE4m3(1e6f)); // saturates
        assertEquals(0x01, MlxMode.toE4m3(0x1p-9f)); // the smallest subnormal
        assertEquals(0x38, MlxMode.toE4m3(1.0f));
        assertEquals(1.0f, MlxMode.fromE4m3(0x38));
        for (int b = 0; b < 16; b++) assertEquals(b, MlxMode.toE2m1(MlxMode.fromE2m1(b)), "E2M1 code " + b);
        assertEquals(0x2, MlxMode.toE2m1(0.75f)); // MLX's thresholds: 0.75 goes up
        assertEquals(0x0, MlxMode.toE2m1(0.25f)); // 0.25 goes down
        assertEquals(0x4, MlxMode.toE2m1(2.5f)); // 2.5 goes down
    }
}
