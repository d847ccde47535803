package dev.swan.metric.svd;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;
import java.util.Random;

/**
 * Builds W = U·diag(s)·Vᵀ with exactly known singular values s: U and the blocks of V are scaled
 * Hadamard matrices with random column signs and permutations (orthogonal, cheap to form).
 */
final class KnownSpectrum {
    private KnownSpectrum() {
    }

    /** rows must be a power of two and cols a multiple of rows; s has rows entries. */
    static FloatMatrix build(int rows, int cols, double[] s, long seed, Parallel par) {
        Random r = new Random(seed);
        int blocks = cols / rows;
        float[] us = orthogonal(rows, r);               // U
        for (int i = 0; i < rows; i++) for (int k = 0; k < rows; k++) us[i * rows + k] *= (float) s[k];
        float[] vt = new float[rows * cols];            // Vᵀ: rows × cols, orthonormal rows
        float norm = (float) (1 / Math.sqrt(blocks));
        for (int b = 0; b < blocks; b++) {
            float[] a = orthogonal(rows, r);            // block b of V is a (cols-block × rows)
            for (int k = 0; k < rows; k++) {
                for (int j = 0; j < rows; j++) vt[k * cols + b * rows + j] = a[j * rows + k] * norm;
            }
        }
        float[] w = new float[rows * cols];
        MatMul.multiply(us, rows, rows, vt, cols, w, par);
        return new FloatMatrix(w, rows, cols);
    }

    /** H·D·P / √n: Hadamard, random signs, random column permutation. */
    private static float[] orthogonal(int n, Random r) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] sign = new float[n];
        for (int i = 0; i < n; i++) sign[i] = r.nextBoolean() ? 1f : -1f;
        float scale = (float) (1 / Math.sqrt(n));
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                int col = perm[k];
                float h = (Integer.bitCount(i & col) & 1) == 0 ? 1f : -1f;
                m[i * n + k] = h * sign[col] * scale;
            }
        }
        return m;
    }
}
