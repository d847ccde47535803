package dev.swan.format.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** gguf-format §2.12: every type reproduces the SHA-256 of ggml's reference quantizers on the golden input. */
class GoldenVectorsTest {
    static final Map<GgmlType, String> SHA = Map.ofEntries(
            Map.entry(GgmlType.F16, "498d7002890a84fb2a53f36c5e27c2b9c4d0ae9996aa7b83461693351044e111"),
            Map.entry(GgmlType.BF16, "458159cc5613d274a16427addd82eac594adaf1e04a37aca414e011e4716a5d5"),
            Map.entry(GgmlType.Q8_0, "546bc398cbae63ad3c2aaf9d588cc93d303c958c4d1dd39ba023db20e4bcb3ee"),
            Map.entry(GgmlType.Q4_0, "6b8c72fbcd0267d4ea33df99db3f22a9682f6fc65a3089c12f4d114a37eb7f63"),
            Map.entry(GgmlType.Q4_1, "c066076f0c542bddbcf5d6459f915706df36c8516464f0d2c3a6225fc3977098"),
            Map.entry(GgmlType.Q5_0, "fc43bf98dada1e09af598941ae13764a7f8ad20138505494794c2c4b703d066c"),
            Map.entry(GgmlType.Q5_1, "bea2a4742fd99f50421b578021b2fd421a44373a4a121ec0666f4faa8cf81574"),
            Map.entry(GgmlType.Q2_K, "d79cd8a4fd04460639c44dd246dac83bd0b340ec25d4096651801fe0c44e373f"),
            Map.entry(GgmlType.Q3_K, "fb243521368084e98874a03abf926cbc608f136e2fd8ac894ce733dccb80ce6e"),
            Map.entry(GgmlType.Q4_K, "a978c49690d1814511891ec6266e74708e10058bb388cfcdfd41669f78186cd9"),
            Map.entry(GgmlType.Q5_K, "a650dfb9a0baa231d6b2f2b3d255a0bf374a052ece076de740078da76c12cfc4"),
            Map.entry(GgmlType.Q6_K, "c7e9603baa24f768c360b3909eecc0fabcb3b8df2c4cb91a716e3f74b8b3b898"));

    static float[] goldenInput() {
        float[] x = new float[4096];
        int s = 12345;
        for (int i = 0; i < 4096; i++) {
            s = s * 1664525 + 1013904223;
            int v = (s >>> 9) - 4194304;
            float f = (float) v / 67108864.0f;
            if (i % 97 == 0) f *= 8.0f;
            if ((i / 256) % 7 == 3 && (i % 32) < 16) f = 0.0f;
            x[i] = f;
        }
        return x;
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void inputMatchesSpec() throws Exception {
        float[] x = goldenInput();
        assertEquals(-0.47959733f, x[0], 1e-8);
        assertEquals(-0.06043153f, x[1], 1e-8);
        assertEquals(0.00539447f, x[2], 1e-8);
        ByteBuffer b = ByteBuffer.allocate(16384).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : x) b.putFloat(f);
        assertEquals("be7c38e1a2df646b88ce56214b1f39ff9b2c6815d060624cab4b0cca52f671f7", sha(b.array()));
    }

    @Test
    void everyTypeMatchesTheReference() throws Exception {
        float[] x = goldenInput();
        for (Map.Entry<GgmlType, String> e : SHA.entrySet()) {
            GgmlType t = e.getKey();
            byte[] out = new byte[(int) t.rowBytes(4096)];
            t.quantizer().quantizeRow(x, 0, 4096, out, 0);
            assertEquals(e.getValue(), sha(out), t.name());
        }
    }

    /** Round trip within each type's error bound (relative to the block's range), on Gaussian data. */
    @Test
    void roundTripWithinBounds() {
        Random r = new Random(3);
        float[] x = new float[256 * 64];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 0.05);
        Map<GgmlType, Double> maxNrmse = Map.ofEntries(Map.entry(GgmlType.F16, 1e-3), Map.entry(GgmlType.BF16, 5e-3),
                Map.entry(GgmlType.Q8_0, 0.01), Map.entry(GgmlType.Q6_K, 0.03), Map.entry(GgmlType.Q5_K, 0.05),
                Map.entry(GgmlType.Q5_0, 0.07), Map.entry(GgmlType.Q5_1, 0.06), Map.entry(GgmlType.Q4_K, 0.1),
                Map.entry(GgmlType.Q4_0, 0.13), Map.entry(GgmlType.Q4_1, 0.12), Map.entry(GgmlType.Q3_K, 0.25),
                Map.entry(GgmlType.Q2_K, 0.45), Map.entry(GgmlType.F32, 0.0), Map.entry(GgmlType.IQ4_NL, 0.1),
                Map.entry(GgmlType.IQ4_XS, 0.1), Map.entry(GgmlType.MXFP4, 0.15), Map.entry(GgmlType.IQ3_S, 0.2),
                Map.entry(GgmlType.IQ3_XXS, 0.25), Map.entry(GgmlType.IQ2_S, 0.3), Map.entry(GgmlType.IQ2_XS, 0.35),
                Map.entry(GgmlType.IQ2_XXS, 0.4), Map.entry(GgmlType.IQ1_M, 0.65), Map.entry(GgmlType.IQ1_S, 0.55),
                // ternary: every value −d, 0 or +d with d the block's largest magnitude; most Gaussian values become 0
                Map.entry(GgmlType.TQ1_0, 0.85), Map.entry(GgmlType.TQ2_0, 0.85));
        for (GgmlType t : GgmlType.values()) {
            byte[] q = new byte[(int) t.rowBytes(x.length)];
            t.quantizer().quantizeRow(x, 0, x.length, q, 0);
            float[] y = new float[x.length];
            t.quantizer().dequantizeRow(q, 0, x.length, y, 0);
            double err = 0;
            double energy = 0;
            for (int i = 0; i < x.length; i++) {
                err += (y[i] - x[i]) * (double) (y[i] - x[i]);
                energy += x[i] * (double) x[i];
            }
            double nrmse = Math.sqrt(err / energy);
            assertTrue(nrmse <= maxNrmse.get(t), t + " nrmse " + nrmse);
        }
    }
}
