package dev.swan.toolkit.numeric;

import dev.swan.api.numeric.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels: register tiles fed from cache-sized blocks; loaded only when the
 * {@code jdk.incubator.vector} module is present (see {@link MatMul}). The tile fits the register file:
 * 4 rows × 4 vectors (16 accumulators) with AVX-512's 32 registers, 6 rows × 2 vectors (12) with the 16
 * of AVX2 or NEON, where 4 × 4 spills (measured 1.5× faster on Zen 3). Every output element is one fused
 * multiply-add chain in the order of the summed index whatever the tile, so both give the same bits.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Rows (or columns) per task: a multiple of both tile heights. */
    private static final int ROW_TASK = 60;
    private static final int K_BLOCK = 256;
    private static final int I_BLOCK = 256;

    /** True for the 4 × 4 tiles, false for 6 × 2. */
    private final boolean wideTiles;

    VectorKernels() {
        this(F.vectorBitSize() >= 512);
    }

    /** With the given tiles whatever the hardware: for tests that check both give the same bits. */
    VectorKernels(boolean wideTiles) {
        this.wideTiles = wideTiles;
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize() + "bit";
    }

    // ---------------------------------------------------------------- c = a · x

    @Override
    public void multiply(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        int tasks = (m + ROW_TASK - 1) / ROW_TASK;
        par.forEach(tasks, t -> multiplyRows(a, n, x, q, c, t * ROW_TASK, Math.min(m, (t + 1) * ROW_TASK)));
    }

    private void multiplyRows(float[] a, int n, float[] x, int q, float[] c, int r0, int r1) {
        int lanes = F.length();
        Arrays.fill(c, r0 * q, r1 * q, 0f);
        for (int kb = 0; kb < n; kb += K_BLOCK) {
            int ke = Math.min(n, kb + K_BLOCK);
            int j = 0;
            if (wideTiles) {
                for (; j + 4 * lanes <= q; j += 4 * lanes) {
                    int i = r0;
                    for (; i + 4 <= r1; i += 4) mulTile4x4(a, n, x, q, c, i, j, kb, ke);
                    for (; i < r1; i++) mulTile1xV(a, n, x, q, c, i, j, kb, ke, 4);
                }
            } else {
                for (; j + 2 * lanes <= q; j += 2 * lanes) {
                    int i = r0;
                    for (; i + 6 <= r1; i += 6) mulTile6x2(a, n, x, q, c, i, j, kb, ke);
                    for (; i < r1; i++) mulTile1xV(a, n, x, q, c, i, j, kb, ke, 2);
                }
            }
            for (; j + lanes <= q; j += lanes) {
                for (int i = r0; i < r1; i++) mulTile1xV(a, n, x, q, c, i, j, kb, ke, 1);
            }
            for (; j < q; j++) {
                for (int i = r0; i < r1; i++) {
                    float s = c[i * q + j];
                    int ao = i * n;
                    for (int k = kb; k < ke; k++) s += a[ao + k] * x[k * q + j];
                    c[i * q + j] = s;
                }
            }
        }
    }

    private static void mulTile4x4(float[] a, int n, float[] x, int q, float[] c, int i, int j, int kb, int ke) {
        int l = F.length();
        int c0 = i * q + j;
        int c1 = c0 + q;
        int c2 = c1 + q;
        int c3 = c2 + q;
        FloatVector s00 = FloatVector.fromArray(F, c, c0), s01 = FloatVector.fromArray(F, c, c0 + l);
        FloatVector s02 = FloatVector.fromArray(F, c, c0 + 2 * l), s03 = FloatVector.fromArray(F, c, c0 + 3 * l);
        FloatVector s10 = FloatVector.fromArray(F, c, c1), s11 = FloatVector.fromArray(F, c, c1 + l);
        FloatVector s12 = FloatVector.fromArray(F, c, c1 + 2 * l), s13 = FloatVector.fromArray(F, c, c1 + 3 * l);
        FloatVector s20 = FloatVector.fromArray(F, c, c2), s21 = FloatVector.fromArray(F, c, c2 + l);
        FloatVector s22 = FloatVector.fromArray(F, c, c2 + 2 * l), s23 = FloatVector.fromArray(F, c, c2 + 3 * l);
        FloatVector s30 = FloatVector.fromArray(F, c, c3), s31 = FloatVector.fromArray(F, c, c3 + l);
        FloatVector s32 = FloatVector.fromArray(F, c, c3 + 2 * l), s33 = FloatVector.fromArray(F, c, c3 + 3 * l);
        int a0 = i * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        for (int k = kb; k < ke; k++) {
            int xo = k * q + j;
            FloatVector x0 = FloatVector.fromArray(F, x, xo);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + l);
            FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * l);
            FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * l);
            FloatVector b = FloatVector.broadcast(F, a[a0 + k]);
            s00 = x0.fma(b, s00); s01 = x1.fma(b, s01); s02 = x2.fma(b, s02); s03 = x3.fma(b, s03);
            b = FloatVector.broadcast(F, a[a1 + k]);
            s10 = x0.fma(b, s10); s11 = x1.fma(b, s11); s12 = x2.fma(b, s12); s13 = x3.fma(b, s13);
            b = FloatVector.broadcast(F, a[a2 + k]);
            s20 = x0.fma(b, s20); s21 = x1.fma(b, s21); s22 = x2.fma(b, s22); s23 = x3.fma(b, s23);
            b = FloatVector.broadcast(F, a[a3 + k]);
            s30 = x0.fma(b, s30); s31 = x1.fma(b, s31); s32 = x2.fma(b, s32); s33 = x3.fma(b, s33);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + l); s02.intoArray(c, c0 + 2 * l); s03.intoArray(c, c0 + 3 * l);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + l); s12.intoArray(c, c1 + 2 * l); s13.intoArray(c, c1 + 3 * l);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + l); s22.intoArray(c, c2 + 2 * l); s23.intoArray(c, c2 + 3 * l);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + l); s32.intoArray(c, c3 + 2 * l); s33.intoArray(c, c3 + 3 * l);
    }

    private static void mulTile6x2(float[] a, int n, float[] x, int q, float[] c, int i, int j, int kb, int ke) {
        int l = F.length();
        int c0 = i * q + j;
        int c1 = c0 + q;
        int c2 = c1 + q;
        int c3 = c2 + q;
        int c4 = c3 + q;
        int c5 = c4 + q;
        FloatVector s00 = FloatVector.fromArray(F, c, c0), s01 = FloatVector.fromArray(F, c, c0 + l);
        FloatVector s10 = FloatVector.fromArray(F, c, c1), s11 = FloatVector.fromArray(F, c, c1 + l);
        FloatVector s20 = FloatVector.fromArray(F, c, c2), s21 = FloatVector.fromArray(F, c, c2 + l);
        FloatVector s30 = FloatVector.fromArray(F, c, c3), s31 = FloatVector.fromArray(F, c, c3 + l);
        FloatVector s40 = FloatVector.fromArray(F, c, c4), s41 = FloatVector.fromArray(F, c, c4 + l);
        FloatVector s50 = FloatVector.fromArray(F, c, c5), s51 = FloatVector.fromArray(F, c, c5 + l);
        int a0 = i * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        int a4 = a3 + n;
        int a5 = a4 + n;
        for (int k = kb; k < ke; k++) {
            int xo = k * q + j;
            FloatVector x0 = FloatVector.fromArray(F, x, xo);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + l);
            FloatVector b = FloatVector.broadcast(F, a[a0 + k]);
            s00 = x0.fma(b, s00); s01 = x1.fma(b, s01);
            b = FloatVector.broadcast(F, a[a1 + k]);
            s10 = x0.fma(b, s10); s11 = x1.fma(b, s11);
            b = FloatVector.broadcast(F, a[a2 + k]);
            s20 = x0.fma(b, s20); s21 = x1.fma(b, s21);
            b = FloatVector.broadcast(F, a[a3 + k]);
            s30 = x0.fma(b, s30); s31 = x1.fma(b, s31);
            b = FloatVector.broadcast(F, a[a4 + k]);
            s40 = x0.fma(b, s40); s41 = x1.fma(b, s41);
            b = FloatVector.broadcast(F, a[a5 + k]);
            s50 = x0.fma(b, s50); s51 = x1.fma(b, s51);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + l);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + l);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + l);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + l);
        s40.intoArray(c, c4); s41.intoArray(c, c4 + l);
        s50.intoArray(c, c5); s51.intoArray(c, c5 + l);
    }

    /** One row, {@code nv} vectors wide (nv ≤ 4). */
    private static void mulTile1xV(float[] a, int n, float[] x, int q, float[] c, int i, int j, int kb, int ke, int nv) {
        int l = F.length();
        int co = i * q + j;
        int ao = i * n;
        for (int v = 0; v < nv; v++) {
            FloatVector s = FloatVector.fromArray(F, c, co + v * l);
            for (int k = kb; k < ke; k++) {
                s = FloatVector.fromArray(F, x, k * q + j + v * l).fma(FloatVector.broadcast(F, a[ao + k]), s);
            }
            s.intoArray(c, co + v * l);
        }
    }

    // ---------------------------------------------------------------- c = aᵀ · x

    @Override
    public void multiplyTransposedAdd(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        int tasks = (n + ROW_TASK - 1) / ROW_TASK;
        par.forEach(tasks, t -> transposedRows(a, m, n, x, q, c, t * ROW_TASK, Math.min(n, (t + 1) * ROW_TASK)));
    }

    private void transposedRows(float[] a, int m, int n, float[] x, int q, float[] c, int k0, int k1) {
        int lanes = F.length();
        for (int ib = 0; ib < m; ib += I_BLOCK) {
            int ie = Math.min(m, ib + I_BLOCK);
            int j = 0;
            if (wideTiles) {
                for (; j + 4 * lanes <= q; j += 4 * lanes) {
                    int k = k0;
                    for (; k + 4 <= k1; k += 4) tTile4x4(a, n, x, q, c, k, j, ib, ie);
                    for (; k < k1; k++) tTile1xV(a, n, x, q, c, k, j, ib, ie, 4);
                }
            } else {
                for (; j + 2 * lanes <= q; j += 2 * lanes) {
                    int k = k0;
                    for (; k + 6 <= k1; k += 6) tTile6x2(a, n, x, q, c, k, j, ib, ie);
                    for (; k < k1; k++) tTile1xV(a, n, x, q, c, k, j, ib, ie, 2);
                }
            }
            for (; j + lanes <= q; j += lanes) {
                for (int k = k0; k < k1; k++) tTile1xV(a, n, x, q, c, k, j, ib, ie, 1);
            }
            // the last columns, fewer than a vector: rows outer so a is read along its rows (each element
            // still adds its terms in row order, so the bits are those of the column-by-column loop)
            if (j < q) {
                for (int i = ib; i < ie; i++) {
                    int ao = i * n;
                    int xo = i * q;
                    for (int k = k0; k < k1; k++) {
                        float av = a[ao + k];
                        int co = k * q;
                        for (int jj = j; jj < q; jj++) c[co + jj] += av * x[xo + jj];
                    }
                }
            }
        }
    }

    private static void tTile4x4(float[] a, int n, float[] x, int q, float[] c, int k, int j, int ib, int ie) {
        int l = F.length();
        int c0 = k * q + j;
        int c1 = c0 + q;
        int c2 = c1 + q;
        int c3 = c2 + q;
        FloatVector s00 = FloatVector.fromArray(F, c, c0), s01 = FloatVector.fromArray(F, c, c0 + l);
        FloatVector s02 = FloatVector.fromArray(F, c, c0 + 2 * l), s03 = FloatVector.fromArray(F, c, c0 + 3 * l);
        FloatVector s10 = FloatVector.fromArray(F, c, c1), s11 = FloatVector.fromArray(F, c, c1 + l);
        FloatVector s12 = FloatVector.fromArray(F, c, c1 + 2 * l), s13 = FloatVector.fromArray(F, c, c1 + 3 * l);
        FloatVector s20 = FloatVector.fromArray(F, c, c2), s21 = FloatVector.fromArray(F, c, c2 + l);
        FloatVector s22 = FloatVector.fromArray(F, c, c2 + 2 * l), s23 = FloatVector.fromArray(F, c, c2 + 3 * l);
        FloatVector s30 = FloatVector.fromArray(F, c, c3), s31 = FloatVector.fromArray(F, c, c3 + l);
        FloatVector s32 = FloatVector.fromArray(F, c, c3 + 2 * l), s33 = FloatVector.fromArray(F, c, c3 + 3 * l);
        for (int i = ib; i < ie; i++) {
            int xo = i * q + j;
            int ao = i * n + k;
            FloatVector x0 = FloatVector.fromArray(F, x, xo);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + l);
            FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * l);
            FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * l);
            FloatVector b = FloatVector.broadcast(F, a[ao]);
            s00 = x0.fma(b, s00); s01 = x1.fma(b, s01); s02 = x2.fma(b, s02); s03 = x3.fma(b, s03);
            b = FloatVector.broadcast(F, a[ao + 1]);
            s10 = x0.fma(b, s10); s11 = x1.fma(b, s11); s12 = x2.fma(b, s12); s13 = x3.fma(b, s13);
            b = FloatVector.broadcast(F, a[ao + 2]);
            s20 = x0.fma(b, s20); s21 = x1.fma(b, s21); s22 = x2.fma(b, s22); s23 = x3.fma(b, s23);
            b = FloatVector.broadcast(F, a[ao + 3]);
            s30 = x0.fma(b, s30); s31 = x1.fma(b, s31); s32 = x2.fma(b, s32); s33 = x3.fma(b, s33);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + l); s02.intoArray(c, c0 + 2 * l); s03.intoArray(c, c0 + 3 * l);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + l); s12.intoArray(c, c1 + 2 * l); s13.intoArray(c, c1 + 3 * l);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + l); s22.intoArray(c, c2 + 2 * l); s23.intoArray(c, c2 + 3 * l);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + l); s32.intoArray(c, c3 + 2 * l); s33.intoArray(c, c3 + 3 * l);
    }

    private static void tTile6x2(float[] a, int n, float[] x, int q, float[] c, int k, int j, int ib, int ie) {
        int l = F.length();
        int c0 = k * q + j;
        int c1 = c0 + q;
        int c2 = c1 + q;
        int c3 = c2 + q;
        int c4 = c3 + q;
        int c5 = c4 + q;
        FloatVector s00 = FloatVector.fromArray(F, c, c0), s01 = FloatVector.fromArray(F, c, c0 + l);
        FloatVector s10 = FloatVector.fromArray(F, c, c1), s11 = FloatVector.fromArray(F, c, c1 + l);
        FloatVector s20 = FloatVector.fromArray(F, c, c2), s21 = FloatVector.fromArray(F, c, c2 + l);
        FloatVector s30 = FloatVector.fromArray(F, c, c3), s31 = FloatVector.fromArray(F, c, c3 + l);
        FloatVector s40 = FloatVector.fromArray(F, c, c4), s41 = FloatVector.fromArray(F, c, c4 + l);
        FloatVector s50 = FloatVector.fromArray(F, c, c5), s51 = FloatVector.fromArray(F, c, c5 + l);
        for (int i = ib; i < ie; i++) {
            int xo = i * q + j;
            int ao = i * n + k;
            FloatVector x0 = FloatVector.fromArray(F, x, xo);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + l);
            FloatVector b = FloatVector.broadcast(F, a[ao]);
            s00 = x0.fma(b, s00); s01 = x1.fma(b, s01);
            b = FloatVector.broadcast(F, a[ao + 1]);
            s10 = x0.fma(b, s10); s11 = x1.fma(b, s11);
            b = FloatVector.broadcast(F, a[ao + 2]);
            s20 = x0.fma(b, s20); s21 = x1.fma(b, s21);
            b = FloatVector.broadcast(F, a[ao + 3]);
            s30 = x0.fma(b, s30); s31 = x1.fma(b, s31);
            b = FloatVector.broadcast(F, a[ao + 4]);
            s40 = x0.fma(b, s40); s41 = x1.fma(b, s41);
            b = FloatVector.broadcast(F, a[ao + 5]);
            s50 = x0.fma(b, s50); s51 = x1.fma(b, s51);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + l);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + l);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + l);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + l);
        s40.intoArray(c, c4); s41.intoArray(c, c4 + l);
        s50.intoArray(c, c5); s51.intoArray(c, c5 + l);
    }

    private static void tTile1xV(float[] a, int n, float[] x, int q, float[] c, int k, int j, int ib, int ie, int nv) {
        int l = F.length();
        int co = k * q + j;
        for (int v = 0; v < nv; v++) {
            FloatVector s = FloatVector.fromArray(F, c, co + v * l);
            for (int i = ib; i < ie; i++) {
                s = FloatVector.fromArray(F, x, i * q + j + v * l).fma(FloatVector.broadcast(F, a[i * n + k]), s);
            }
            s.intoArray(c, co + v * l);
        }
    }

    // ---------------------------------------------------------------- g += yᵀ · y (double)

    private static final VectorSpecies<Short> HALF = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> WORD = IntVector.SPECIES_256;

    @Override
    public void widenBf16(short[] src, int n, float[] dst, int off) {
        int l = HALF.length();
        int i = 0;
        for (; i + l <= n; i += l) {
            IntVector w = (IntVector) ShortVector.fromArray(HALF, src, i).convertShape(jdk.incubator.vector.VectorOperators.S2I, WORD, 0);
            w.lanewise(jdk.incubator.vector.VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
        }
        for (; i < n; i++) dst[off + i] = Float.intBitsToFloat(src[i] << 16);
    }

    @Override
    public void multiplyNarrow(float[] a, int m, int n, float[] xt, int q, float[] c) {
        int l = F.length();
        int bound = F.loopBound(n);
        for (int i = 0; i < m; i++) {
            int ao = i * n;
            int j = 0;
            for (; j + 4 <= q; j += 4) {
                int x0 = j * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
                FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
                int k = 0;
                for (; k < bound; k += l) {
                    FloatVector av = FloatVector.fromArray(F, a, ao + k);
                    s0 = av.fma(FloatVector.fromArray(F, xt, x0 + k), s0);
                    s1 = av.fma(FloatVector.fromArray(F, xt, x1 + k), s1);
                    s2 = av.fma(FloatVector.fromArray(F, xt, x2 + k), s2);
                    s3 = av.fma(FloatVector.fromArray(F, xt, x3 + k), s3);
                }
                float r0 = s0.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float r1 = s1.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float r2 = s2.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                float r3 = s3.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                for (; k < n; k++) {
                    float av = a[ao + k];
                    r0 += av * xt[x0 + k];
                    r1 += av * xt[x1 + k];
                    r2 += av * xt[x2 + k];
                    r3 += av * xt[x3 + k];
                }
                c[i * q + j] = r0;
                c[i * q + j + 1] = r1;
                c[i * q + j + 2] = r2;
                c[i * q + j + 3] = r3;
            }
            for (; j < q; j++) {
                int xo = j * n;
                FloatVector s = FloatVector.zero(F);
                int k = 0;
                for (; k < bound; k += l) s = FloatVector.fromArray(F, a, ao + k).fma(FloatVector.fromArray(F, xt, xo + k), s);
                float r = s.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                for (; k < n; k++) r += a[ao + k] * xt[xo + k];
                c[i * q + j] = r;
            }
        }
    }

    @Override
    public void gramAccumulate(double[] y, int rows, int q, double[] g, Parallel par) {
        int tasks = (q + 31) / 32;
        par.forEach(tasks, t -> gramRows(y, rows, q, g, t * 32, Math.min(q, t * 32 + 32)));
    }

    private static void gramRows(double[] y, int rows, int q, double[] g, int k0, int k1) {
        int l = D.length();
        int j = 0;
        for (; j + 2 * l <= q; j += 2 * l) {
            int k = k0;
            for (; k + 4 <= k1; k += 4) {
                int g0 = k * q + j;
                int g1 = g0 + q;
                int g2 = g1 + q;
                int g3 = g2 + q;
                DoubleVector s00 = DoubleVector.fromArray(D, g, g0), s01 = DoubleVector.fromArray(D, g, g0 + l);
                DoubleVector s10 = DoubleVector.fromArray(D, g, g1), s11 = DoubleVector.fromArray(D, g, g1 + l);
                DoubleVector s20 = DoubleVector.fromArray(D, g, g2), s21 = DoubleVector.fromArray(D, g, g2 + l);
                DoubleVector s30 = DoubleVector.fromArray(D, g, g3), s31 = DoubleVector.fromArray(D, g, g3 + l);
                for (int i = 0; i < rows; i++) {
                    int yo = i * q;
                    DoubleVector y0 = DoubleVector.fromArray(D, y, yo + j);
                    DoubleVector y1 = DoubleVector.fromArray(D, y, yo + j + l);
                    DoubleVector b = DoubleVector.broadcast(D, y[yo + k]);
                    s00 = y0.fma(b, s00); s01 = y1.fma(b, s01);
                    b = DoubleVector.broadcast(D, y[yo + k + 1]);
                    s10 = y0.fma(b, s10); s11 = y1.fma(b, s11);
                    b = DoubleVector.broadcast(D, y[yo + k + 2]);
                    s20 = y0.fma(b, s20); s21 = y1.fma(b, s21);
                    b = DoubleVector.broadcast(D, y[yo + k + 3]);
                    s30 = y0.fma(b, s30); s31 = y1.fma(b, s31);
                }
                s00.intoArray(g, g0); s01.intoArray(g, g0 + l);
                s10.intoArray(g, g1); s11.intoArray(g, g1 + l);
                s20.intoArray(g, g2); s21.intoArray(g, g2 + l);
                s30.intoArray(g, g3); s31.intoArray(g, g3 + l);
            }
            for (; k < k1; k++) gramScalar(y, rows, q, g, k, j, j + 2 * l);
        }
        for (int k = k0; k < k1; k++) gramScalar(y, rows, q, g, k, j, q);
    }

    private static void gramScalar(double[] y, int rows, int q, double[] g, int k, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            double s = g[k * q + j];
            for (int i = 0; i < rows; i++) s += y[i * q + k] * y[i * q + j];
            g[k * q + j] = s;
        }
    }
}
