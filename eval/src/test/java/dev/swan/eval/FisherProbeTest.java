package dev.swan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.swan.api.numeric.SeededRandom;
import org.junit.jupiter.api.Test;

/** Both output probes are unbiased for the Fisher information at the logits, diag(p) − ppᵀ. */
class FisherProbeTest {
    private static final double[] P = {0.5, 0.25, 0.15, 0.07, 0.03};

    @Test
    void signedRootHasTheFisherAsItsCovariance() {
        int v = P.length, draws = 200_000;
        double[][] sum = new double[v][v];
        SeededRandom r = new SeededRandom(7);
        float[] g = new float[v];
        for (int d = 0; d < draws; d++) {
            for (int i = 0; i < v; i++) g[i] = (float) P[i];
            FisherInformation.signedRoot(g, v, 1, r);
            for (int i = 0; i < v; i++) for (int j = 0; j < v; j++) sum[i][j] += (double) g[i] * g[j];
        }
        for (int i = 0; i < v; i++) {
            for (int j = 0; j < v; j++) {
                double fisher = (i == j ? P[i] : 0) - P[i] * P[j];
                assertEquals(fisher, sum[i][j] / draws, 0.004, "entry " + i + "," + j);
            }
        }
    }

    @Test
    void sampledLabelsHaveTheFisherAsTheirCovariance() {
        int v = P.length, draws = 200_000;
        double[][] sum = new double[v][v];
        int[] label = new int[1];
        FisherInformation.OutputProbe probe = FisherInformation.OutputProbe.labels(q -> label);
        SeededRandom r = new SeededRandom(7);
        float[] g = new float[v];
        for (int d = 0; d < draws; d++) {
            double u = r.nextDouble(), acc = 0;
            label[0] = v - 1;
            for (int i = 0; i < v; i++) {
                acc += P[i];
                if (u < acc) {
                    label[0] = i;
                    break;
                }
            }
            for (int i = 0; i < v; i++) g[i] = (float) P[i];
            probe.apply(0, 0, g, v, 1);
            for (int i = 0; i < v; i++) for (int j = 0; j < v; j++) sum[i][j] += (double) g[i] * g[j];
        }
        for (int i = 0; i < v; i++) {
            for (int j = 0; j < v; j++) {
                double fisher = (i == j ? P[i] : 0) - P[i] * P[j];
                assertEquals(fisher, sum[i][j] / draws, 0.004, "entry " + i + "," + j);
            }
        }
    }
}
