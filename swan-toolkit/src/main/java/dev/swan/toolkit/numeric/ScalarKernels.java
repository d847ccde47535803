package dev.swan.toolkit.numeric;

import dev.swan.api.numeric.Parallel;
import java.util.Arrays;

/** Plain-Java kernels: the fallback when the Vector API is absent, and the reference in tests. */
final class ScalarKernels implements Kernels {
    static final int ROW_TASK = 64;
    static final int K_BLOCK = 256;

    @Override
    public void multiplyNarrow(float[] a, int m, int n, float[] xt, int q, float[] c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < q; j++) {
                float s = 0f;
                for (int k = 0; k < n; k++) s += a[i * n + k] * xt[j * n + k];
                c[i * q + j] = s;
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void multiply(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        int tasks = (m + ROW_TASK - 1) / ROW_TASK;
        par.forEach(tasks, t -> {
            int r0 = t * ROW_TASK;
            int r1 = Math.min(m, r0 + ROW_TASK);
            Arrays.fill(c, r0 * q, r1 * q, 0f);
            for (int kb = 0; kb < n; kb += K_BLOCK) {
                int ke = Math.min(n, kb + K_BLOCK);
                for (int i = r0; i < r1; i++) {
                    int co = i * q;
                    int ao = i * n;
                    for (int k = kb; k < ke; k++) {
                        float av = a[ao + k];
                        int xo = k * q;
                        for (int j = 0; j < q; j++) c[co + j] += av * x[xo + j];
                    }
                }
            }
        });
    }

    @Override
    public void multiplyTransposedAdd(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        int tasks = (n + ROW_TASK - 1) / ROW_TASK;
        par.forEach(tasks, t -> {
            int k0 = t * ROW_TASK;
            int k1 = Math.min(n, k0 + ROW_TASK);
            for (int i = 0; i < m; i++) {
                int ao = i * n;
                int xo = i * q;
                for (int k = k0; k < k1; k++) {
                    float av = a[ao + k];
                    int co = k * q;
                    for (int j = 0; j < q; j++) c[co + j] += av * x[xo + j];
                }
            }
        });
    }

    @Override
    public void gramAccumulate(double[] y, int rows, int q, double[] g, Parallel par) {
        int tasks = (q + 31) / 32;
        par.forEach(tasks, t -> {
            int k0 = t * 32;
            int k1 = Math.min(q, k0 + 32);
            for (int i = 0; i < rows; i++) {
                int yo = i * q;
                for (int k = k0; k < k1; k++) {
                    double av = y[yo + k];
                    int go = k * q;
                    for (int j = 0; j < q; j++) g[go + j] += av * y[yo + j];
                }
            }
        });
    }
}
