package dev.swan.toolkit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void everyF16PatternRoundTrips() {
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloats.f16ToF32((short) h);
            short back = HalfFloats.f32ToF16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.f16ToF32(back)), "NaN stays NaN: " + h);
                assertEquals(h & 0x8000, back & 0x8000);
            } else {
                assertEquals(h, back & 0xffff, "pattern " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void everyBf16PatternRoundTrips() {
        for (int b = 0; b < 65536; b++) {
            float f = HalfFloats.bf16ToF32((short) b);
            short back = HalfFloats.f32ToBf16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.bf16ToF32(back)));
            } else {
                assertEquals(b, back & 0xffff, "pattern " + Integer.toHexString(b));
            }
        }
    }

    /** Midpoints between neighbouring f16 values round to the even one; just off the midpoint rounds to the nearer. */
    @Test
    void f16RoundsHalfToEven() {
        for (int h = 0; h < 0x7bff; h++) {
            double lo = HalfFloats.f16ToF32((short) h);
            double hi = HalfFloats.f16ToF32((short) (h + 1));
            float mid = (float) ((lo + hi) / 2); // exact in float: halves have ≤ 11 significant bits
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, HalfFloats.f32ToF16(mid), "midpoint above " + h);
            assertEquals(h, HalfFloats.f32ToF16(Math.nextDown(mid)));
            assertEquals(h + 1, HalfFloats.f32ToF16(Math.nextUp(mid)));
            assertEquals(even | 0x8000, HalfFloats.f32ToF16(-mid) & 0xffff, "sign symmetric");
        }
        assertEquals(0x7c00, HalfFloats.f32ToF16(65520f));
        assertEquals(0x7bff, HalfFloats.f32ToF16(Math.nextDown(65520f)));
        assertEquals(0x0000, HalfFloats.f32ToF16(0x1p-25f));
        assertEquals(0x0001, HalfFloats.f32ToF16(Math.nextUp(0x1p-25f)));
        assertEquals(0xfc00, HalfFloats.f32ToF16(Float.NEGATIVE_INFINITY) & 0xffff);
    }

    /** Random floats against a brute-force nearest-value search over the sorted f16 table. */
    @Test
    void f16MatchesNearestSearch() {
        float[] pos = new float[0x7c01];
        for (int h = 0; h <= 0x7c00; h++) pos[h] = HalfFloats.f16ToF32((short) h);
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt() & 0x7fffffff);
            if (Float.isNaN(f) || f > 70000f) f = r.nextFloat() * 70000f * (r.nextBoolean() ? 1 : 1e-8f);
            int idx = Arrays.binarySearch(pos, f);
            int expected;
            if (idx >= 0) {
                expected = idx;
            } else {
                int hi = -idx - 1;
                int lo = hi - 1;
                if (hi > 0x7bff) {
                    expected = f >= 65520f ? 0x7c00 : 0x7bff;
                } else {
                    double dl = f - (double) pos[lo];
                    double dh = (double) pos[hi] - f;
                    expected = dl < dh ? lo : dh < dl ? hi : ((lo & 1) == 0 ? lo : hi);
                }
            }
            assertEquals(expected, HalfFloats.f32ToF16(f), "value " + f);
        }
    }

    @Test
    void bf16RoundsHalfToEven() {
        assertEquals(0x3f80, HalfFloats.f32ToBf16(Float.intBitsToFloat(0x3f808000)) & 0xffff); // tie, even below
        assertEquals(0x3f82, HalfFloats.f32ToBf16(Float.intBitsToFloat(0x3f818000)) & 0xffff); // tie, even above
        assertEquals(0x3f81, HalfFloats.f32ToBf16(Float.intBitsToFloat(0x3f808001)) & 0xffff);
        assertEquals(0x7f80, HalfFloats.f32ToBf16(Float.MAX_VALUE) & 0xffff, "rounds up to infinity");
        assertEquals(0x3dcd, HalfFloats.f32ToBf16(0.1f) & 0xffff, "mlx-format.md §1.5 scale");
    }
}
