package dev.swan.toolkit.numeric;

import dev.swan.api.numeric.Parallel;

/**
 * Entry point for the shared dense kernels. The Vector API implementation is chosen once, at class
 * initialisation, when the JVM runs with {@code --add-modules jdk.incubator.vector} (the {@code swan}
 * launcher script passes it); otherwise, or with {@code -Dswan.kernels=scalar}, plain Java is used.
 */
public final class MatMul {
    private static final Kernels KERNELS = select();

    private MatMul() {
    }

    private static Kernels select() {
        boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (vectorModule && !"scalar".equals(System.getProperty("swan.kernels"))) {
            try {
                return new VectorKernels();
            } catch (LinkageError e) {
                return new ScalarKernels();
            }
        }
        return new ScalarKernels();
    }

    /** Which implementation runs: {@code vector-512bit}, {@code vector-256bit}, ... or {@code scalar}. */
    public static String implementation() {
        return KERNELS.name();
    }

    /** c[m×q] = a[m×n] · x[n×q], all row-major. */
    public static void multiply(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        KERNELS.multiply(a, m, n, x, q, c, par);
    }

    /** c[n×q] = aᵀ · x, with a[m×n] and x[m×q], all row-major. */
    public static void multiplyTransposed(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        KERNELS.multiplyTransposed(a, m, n, x, q, c, par);
    }

    /**
     * c[n×q] += aᵀ · x, with a[m×n] and x[m×q]: adding a matrix's row blocks one after another gives the
     * same bits as one product of the whole.
     */
    public static void multiplyTransposedAdd(float[] a, int m, int n, float[] x, int q, float[] c, Parallel par) {
        KERNELS.multiplyTransposedAdd(a, m, n, x, q, c, par);
    }

    /** c[m×q] = a[m×n] · xtᵀ for few columns q (xt[q×n], x transposed), on the calling thread. */
    public static void multiplyNarrow(float[] a, int m, int n, float[] xt, int q, float[] c) {
        KERNELS.multiplyNarrow(a, m, n, xt, q, c);
    }

    /** dst[off + i] = the bfloat16 value src[i] as float32, for i below n (exact). */
    public static void widenBf16(short[] src, int n, float[] dst, int off) {
        KERNELS.widenBf16(src, n, dst, off);
    }

    /** g[q×q] = yᵀ · y for float y[m×q], accumulated in double. */
    public static double[] gram(float[] y, int m, int q, Parallel par) {
        double[] g = new double[q * q];
        int block = Math.max(1, Math.min(m, 256));
        double[] buf = new double[block * q];
        for (int r0 = 0; r0 < m; r0 += block) {
            int rows = Math.min(block, m - r0);
            for (int i = 0; i < rows * q; i++) buf[i] = y[r0 * q + i];
            KERNELS.gramAccumulate(buf, rows, q, g, par);
        }
        return g;
    }

    /** g[m×m] = a · aᵀ for float a[m×n], accumulated in double (the small-side Gram of a wide matrix). */
    public static double[] rowGram(float[] a, int m, int n, Parallel par) {
        double[] g = new double[m * m];
        int block = 256;
        double[] buf = new double[block * m];
        for (int k0 = 0; k0 < n; k0 += block) {
            int cols = Math.min(block, n - k0);
            for (int i = 0; i < m; i++) {
                int ao = i * n + k0;
                for (int k = 0; k < cols; k++) buf[k * m + i] = a[ao + k];
            }
            KERNELS.gramAccumulate(buf, cols, m, g, par);
        }
        return g;
    }

    /** The kernels in use, for the blocked products. */
    static Kernels kernels() {
        return KERNELS;
    }

    /** The plain-Java kernels, for tests and benchmarks that compare implementations. */
    public static Kernels scalar() {
        return new ScalarKernels();
    }

    /** The Vector API kernels, or null when the JVM runs without the incubator module. */
    public static Kernels vectorOrNull() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? new VectorKernels() : null;
    }
}
