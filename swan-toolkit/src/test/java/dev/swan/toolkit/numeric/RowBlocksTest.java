package dev.swan.toolkit.numeric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.swan.api.numeric.FloatMatrix;
import dev.swan.api.numeric.MatrixRows;
import dev.swan.api.numeric.Parallel;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Block by block from a file-like source gives exactly the in-memory products, bit for bit. */
class RowBlocksTest {
    private static final ForkJoinPool POOL = new ForkJoinPool(2);
    private static final Parallel PAR = Parallel.of(POOL);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    private static FloatMatrix random(int m, int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        return new FloatMatrix(a, m, n);
    }

    /** Not a FloatMatrix, so every product takes its blocked path. */
    private static MatrixRows fileLike(FloatMatrix m) {
        return new MatrixRows() {
            public int rows() {
                return m.rows();
            }

            public int cols() {
                return m.cols();
            }

            public void readFloats(long first, float[] dst, int off, int count) {
                m.readFloats(first, dst, off, count);
            }
        };
    }

    @Test
    void productsOverSeveralBlocksEqualTheWholeProducts() {
        // 3000 x 2048: blocks of 2048 rows, so two blocks, the second partial
        FloatMatrix a = random(3000, 2048, 1);
        int q = 40; // not a multiple of the vector width: the scalar tail too
        float[] x = random(2048, q, 2).data();
        float[] xt = random(3000, q, 3).data();
        float[] expected = new float[3000 * q];
        MatMul.multiply(a.data(), 3000, 2048, x, q, expected, PAR);
        float[] got = new float[3000 * q];
        RowBlocks.multiply(fileLike(a), x, q, got, PAR);
        assertArrayEquals(expected, got);

        float[] expectedT = new float[2048 * q];
        MatMul.multiplyTransposed(a.data(), 3000, 2048, xt, q, expectedT, PAR);
        float[] gotT = new float[2048 * q];
        RowBlocks.multiplyTransposed(fileLike(a), RowBlocks.rowsOf(xt, q), q, gotT, PAR);
        assertArrayEquals(expectedT, gotT);
        float[] inMemoryT = new float[2048 * q];
        RowBlocks.multiplyTransposed(a, RowBlocks.rowsOf(xt, q), q, inMemoryT, PAR);
        assertArrayEquals(expectedT, inMemoryT);
    }

    @Test
    void gramMatricesOverSeveralBlocksEqualTheWholeOnes() {
        FloatMatrix tall = random(15000, 300, 4); // column Gram: 13824-row blocks, two of them
        assertArrayEquals(MatMul.gram(tall.data(), 15000, 300, PAR), RowBlocks.gram(fileLike(tall), PAR));
        FloatMatrix wide = random(300, 15000, 5); // row Gram: panels of 13824 columns, two of them
        assertArrayEquals(MatMul.rowGram(wide.data(), 300, 15000, PAR), RowBlocks.rowGram(fileLike(wide), PAR));
    }

    @Test
    void rowTasksSeeTheirOwnRows() {
        FloatMatrix a = random(130, 70, 6);
        float[] copy = new float[130 * 70];
        RowBlocks.forEachRowTask(fileLike(a), 64, PAR, (t, r0, rows, data) -> System.arraycopy(data, 0, copy, r0 * 70, rows * 70));
        assertArrayEquals(a.data(), copy);
    }
}
