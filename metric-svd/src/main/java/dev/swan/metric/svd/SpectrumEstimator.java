package dev.swan.metric.svd;

import dev.swan.api.numeric.MatrixRows;
import dev.swan.toolkit.numeric.RowBlocks;
import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.numeric.SeededRandom;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Squared singular values (energies) of a weight matrix, largest first.
 *
 * <ul>
 *   <li>Exact: the Gram matrix of the smaller side (≤ exactMaxDim) in double, and its eigenvalues from
 *       EJML's symmetric eigensolver: σᵢ² exactly, without the O(m·n·min) Householder bidiagonalisation.</li>
 *   <li>Randomized (Halko et al., as {@code torch.svd_lowrank(W, q, niter)}): a Gaussian sketch of q
 *       columns, then {@code niter} subspace iterations, re-orthonormalising after every product; the
 *       q values are the singular values of QᵀW. The basis is kept on the smaller side of W so that
 *       three of the five orthonormalisations are on the short dimension.</li>
 * </ul>
 */
final class SpectrumEstimator {
    private SpectrumEstimator() {
    }

    /** All min(m, n) energies σᵢ², descending. */
    static double[] exact(MatrixRows w, Parallel par) {
        int m = w.rows();
        int n = w.cols();
        double[] g = m <= n ? RowBlocks.rowGram(w, par) : RowBlocks.gram(w, par);
        return symmetricEigenvalues(g, Math.min(m, n));
    }

    /**
     * The q largest energies, estimated; deterministic for a given seed. W is read block by block for
     * each of its 2·niter + 2 products; beside a block, the sketches hold q columns of each side once
     * (the Gaussian start is drawn per block when it lies on the long side).
     */
    static double[] randomized(MatrixRows w, int q, int powerIterations, long seed, Parallel par) {
        int m = w.rows();
        int n = w.cols();
        // Basis side: the rows when m <= n (Y = W·Ω is m×q), otherwise the columns (work on Wᵀ).
        boolean rowSide = m <= n;
        int basisDim = rowSide ? m : n;
        int otherDim = rowSide ? n : m;
        float[] y = new float[basisDim * q];
        if (rowSide) RowBlocks.multiply(w, gaussian(otherDim, q, seed, par), q, y, par);
        else RowBlocks.multiplyTransposed(w, (r0, count, dst) -> gaussianRows(r0, count, q, seed, dst, par), q, y, par);
        float[] basis = Orthonormalizer.orthonormalize(y, basisDim, q, par);
        float[] z = new float[otherDim * q];
        for (int it = 0; it < powerIterations; it++) {
            toOther(w, rowSide, basis, q, z, par);
            float[] zq = Orthonormalizer.orthonormalizeInPlace(z, otherDim, q, par);
            toBasis(w, rowSide, zq, q, y, par);
            z = zq;
            basis = Orthonormalizer.orthonormalize(y, basisDim, q, par);
        }
        // B = Qᵀ·W (q × other); its singular values are those of Z = Wᵀ·Q, from the q × q Gram ZᵀZ.
        toOther(w, rowSide, basis, q, z, par);
        return symmetricEigenvalues(MatMul.gram(z, otherDim, q, par), q);
    }

    /** Maps other-side vectors to the basis side: W·x (rows side) or Wᵀ·x. */
    private static void toBasis(MatrixRows w, boolean rowSide, float[] x, int q, float[] out, Parallel par) {
        if (rowSide) RowBlocks.multiply(w, x, q, out, par);
        else RowBlocks.multiplyTransposed(w, RowBlocks.rowsOf(x, q), q, out, par);
    }

    private static void toOther(MatrixRows w, boolean rowSide, float[] x, int q, float[] out, Parallel par) {
        if (rowSide) RowBlocks.multiplyTransposed(w, RowBlocks.rowsOf(x, q), q, out, par);
        else RowBlocks.multiply(w, x, q, out, par);
    }

    /** Rows {@code [r0, r0 + count)} of {@link #gaussian}, into {@code dst} from index 0. */
    static void gaussianRows(int r0, int count, int q, long seed, float[] dst, Parallel par) {
        int block = 256;
        par.forEach((count + block - 1) / block, b -> {
            for (int i = b * block; i < Math.min(count, (b + 1) * block); i++) {
                SeededRandom rnd = SeededRandom.derive(seed, r0 + i);
                for (int j = 0; j < q; j++) dst[i * q + j] = (float) rnd.nextGaussian();
            }
        });
    }

    /** rows × q standard normal draws; row r from its own derived generator (deterministic in parallel). */
    static float[] gaussian(int rows, int q, long seed, Parallel par) {
        float[] out = new float[rows * q];
        int block = 256;
        par.forEach((rows + block - 1) / block, b -> {
            for (int r = b * block; r < Math.min(rows, (b + 1) * block); r++) {
                SeededRandom rnd = SeededRandom.derive(seed, r);
                for (int j = 0; j < q; j++) out[r * q + j] = (float) rnd.nextGaussian();
            }
        });
        return out;
    }

    private static double[] symmetricEigenvalues(double[] g, int size) {
        DMatrixRMaj gram = new DMatrixRMaj(size, size);
        gram.setData(g);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(size, false, true);
        if (!eig.decompose(gram)) throw new ArithmeticException("eigen-decomposition did not converge");
        double[] ev = new double[size];
        for (int i = 0; i < size; i++) ev[i] = Math.max(0, eig.getEigenvalue(i).getReal());
        Arrays.sort(ev);
        for (int i = 0; i < size / 2; i++) {
            double t = ev[i];
            ev[i] = ev[size - 1 - i];
            ev[size - 1 - i] = t;
        }
        return ev;
    }
}
