package dev.swan.metric.svd;

import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Orthonormal basis of the columns of a tall-skinny float matrix Y (rows × q), the "QR of the sketch".
 *
 * <p>Cholesky-QR: the Gram matrix YᵀY is accumulated in double (our kernel), factored by EJML's
 * Cholesky (q × q, cheap), and Q = Y·R⁻¹ is one more product with our kernel. With the Gram in double,
 * one pass is accurate to about cond(Y)·2⁻²⁴, far below what the singular-value estimates need, and it
 * costs two tall products instead of a Householder sweep over rows × q doubles (which in EJML would
 * dominate the whole metric). Rank-deficient or badly conditioned sketches fall back to EJML's
 * Householder QR.
 */
final class Orthonormalizer {
    /** Below this ratio of smallest to largest Cholesky pivot, Cholesky-QR loses too much: use Householder. */
    private static final double MIN_PIVOT_RATIO = 1e-5;

    private Orthonormalizer() {
    }

    /** Returns Q (rows × q, row-major) with QᵀQ ≈ I spanning the columns of {@code y}. */
    static float[] orthonormalize(float[] y, int rows, int q, Parallel par) {
        return orthonormalize(y, rows, q, par, false);
    }

    /**
     * As {@link #orthonormalize(float[], int, int, Parallel)}, overwriting {@code y} (returned) so that a
     * long sketch is held once; the same values.
     */
    static float[] orthonormalizeInPlace(float[] y, int rows, int q, Parallel par) {
        return orthonormalize(y, rows, q, par, true);
    }

    private static float[] orthonormalize(float[] y, int rows, int q, Parallel par, boolean inPlace) {
        double[] g = MatMul.gram(y, rows, q, par);
        DMatrixRMaj gram = new DMatrixRMaj(q, q);
        gram.setData(g);
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(q, true);
        if (chol.decompose(gram)) {
            DMatrixRMaj l = chol.getT(null);
            double minPivot = Double.MAX_VALUE;
            double maxPivot = 0;
            for (int i = 0; i < q; i++) {
                double d = l.get(i, i);
                minPivot = Math.min(minPivot, d);
                maxPivot = Math.max(maxPivot, d);
            }
            if (maxPivot > 0 && minPivot / maxPivot > MIN_PIVOT_RATIO && Double.isFinite(maxPivot)) {
                double[] linv = l.getData().clone();
                TriangularSolver_DDRM.invertLower(linv, q);
                // Y = Q·R with R = Lᵀ, so Q = Y·(L⁻¹)ᵀ; rinv[k][j] = linv[j][k]
                float[] rinv = new float[q * q];
                for (int k = 0; k < q; k++) {
                    for (int j = 0; j < q; j++) rinv[k * q + j] = j >= k ? (float) linv[j * q + k] : 0f;
                }
                if (!inPlace) {
                    float[] out = new float[rows * q];
                    MatMul.multiply(y, rows, q, rinv, q, out, par);
                    return out;
                }
                // rows of Y·R⁻¹ depend only on the same row of Y: chunk by chunk through a small buffer
                int chunk = Math.max(1, Math.min(rows, 1024));
                float[] in = new float[chunk * q];
                float[] out = new float[chunk * q];
                for (int r0 = 0; r0 < rows; r0 += chunk) {
                    int n = Math.min(chunk, rows - r0);
                    System.arraycopy(y, r0 * q, in, 0, n * q);
                    MatMul.multiply(in, n, q, rinv, q, out, par);
                    System.arraycopy(out, 0, y, r0 * q, n * q);
                }
                return y;
            }
        }
        return householder(y, rows, q);
    }

    private static float[] householder(float[] y, int rows, int q) {
        DMatrixRMaj a = new DMatrixRMaj(rows, q);
        for (int i = 0; i < y.length; i++) a.data[i] = y[i];
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(rows, q);
        if (!qr.decompose(a)) throw new ArithmeticException("QR of the sketch failed");
        DMatrixRMaj qm = qr.getQ(null, true);
        float[] out = new float[rows * q];
        for (int i = 0; i < out.length; i++) out[i] = (float) qm.data[i];
        return out;
    }
}
