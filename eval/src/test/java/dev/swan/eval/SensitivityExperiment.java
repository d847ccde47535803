package dev.swan.eval;

import dev.swan.api.ProgressSink;
import dev.swan.api.Quantizer;
import dev.swan.api.Sensitivity;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.numeric.Parallel;
import dev.swan.format.mlx.MlxFormat;
import dev.swan.testkit.SharedModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the measurement behind the choice of sensitivity estimator (run with
 * -Dswan.experiment=true, -Dswan.rank.model, -Dswan.rank.ids, -Dswan.rank.tokens, -Dswan.rank.seed). Prints Spearman of each
 * predictor against the measured single-tensor damage at MLX 4-bit.
 */
class SensitivityExperiment {
    @Test
    void compareEstimators() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("swan.experiment"));
        String model = System.getProperty("swan.rank.model", "stories260K");
        String ids = System.getProperty("swan.rank.ids", "tinystories/tinystories-valid-excerpt.stories260K.ids");
        int tokens = Integer.getInteger("swan.rank.tokens", 512);
        ForkJoinPool pool = new ForkJoinPool(2);
        long seed = Long.getLong("swan.rank.seed", 42);
        try (HfStoredModel hf = HfStoredModel.open(SharedModels.model(model))) {
            Parallel par = Parallel.of(pool);
            StoredModel m = NoiseInjection.prepare(hf);
            Transformer base = Transformer.of(m);
            int bos = ((Number) m.config().raw().getOrDefault("bos_token_id", 1L)).intValue();
            int length = Integer.getInteger("swan.rank.length", Math.min(128, tokens));
            SelfCalibration.Settings s = new SelfCalibration.Settings(Math.max(1, tokens / length), length, seed);
            SelfCalibration.Plan production = SelfCalibration.Plan.of(base.parameters(), Integer.getInteger("swan.rank.tokens", 0));
            int[][] texts = Boolean.getBoolean("swan.experiment.production")
                    ? SelfCalibration.contexts(base, bos, production, seed, par, ProgressSink.NONE)
                    : SelfCalibration.generate(base, bos, s, par);
            int join = Integer.getInteger("swan.rank.join", 1);
            if (join > 1) {
                // snippets generated side by side, joined end to end (BOS only first) into longer contexts
                int[][] joined = new int[texts.length / join][];
                for (int q = 0; q < joined.length; q++) {
                    java.util.List<Integer> seq = new java.util.ArrayList<>();
                    for (int k = 0; k < join; k++) {
                        int[] part = texts[q * join + k];
                        for (int p = k == 0 ? 0 : 1; p < part.length; p++) seq.add(part[p]);
                    }
                    joined[q] = seq.stream().mapToInt(Integer::intValue).toArray();
                }
                texts = joined;
            }
            List<String> names = new ArrayList<>();
            for (StoredTensor t : m.tensors().values()) if (t.shape().length == 2 && t.cols() % 64 == 0) names.add(t.name());
            long t0 = System.nanoTime();
            Map<String, Sensitivity> sens = Boolean.getBoolean("swan.experiment.noise")
                    ? NoiseInjection.sensitivities(m, names, texts, 42, ProgressSink.NONE, par) : Map.of();
            long t1 = System.nanoTime();
            int draws = Integer.getInteger("swan.experiment.draws", production.draws());
            Map<String, FisherInformation.TensorFisher> fisher = FisherInformation.measure(m, texts,
                    new FisherInformation.Settings(draws, seed,
                            FisherInformation.Probe.valueOf(System.getProperty("swan.experiment.probe", "SAMPLED_LABELS"))), ProgressSink.NONE, par).tensors();
            long t2 = System.nanoTime();
            System.out.printf("%s: %d tokens, noise injection %.1f s, Fisher (%d draws) %.1f s%n", model, tokens,
                    (t1 - t0) / 1e9, draws, (t2 - t1) / 1e9);
            Quantizer q = new MlxFormat().quantizer("mlx:4:64").orElseThrow();
            int[] evalTokens = EvalInputs.ids(SharedModels.eval(ids));
            int n = names.size();
            double[] measured = new double[n];
            double[][] pred = new double[9][n];
            String[] label = {"noise injection", "Fisher isotropic", "Fisher rows x cols", "Fisher columns", "Fisher rows",
                    "weight-only", "Fisher rows, energy", "Fisher rows, group max", "Fisher rxc, group max"};
            for (int i = 0; i < n; i++) {
                StoredTensor w = m.tensors().get(names.get(i));
                int rows = (int) w.rows();
                int cols = (int) w.cols();
                float[] all = new float[rows * cols];
                w.decodeRows(0, rows, all);
                float[] qa = new float[cols];
                double err = 0, energy = 0, rc = 0, cOnly = 0, rOnly = 0;
                FisherInformation.TensorFisher f = fisher.get(w.name());
                double[] colErr = new double[cols];
                double[] rowErr = new double[rows];
                for (int r = 0; r < rows; r++) {
                    float[] row = java.util.Arrays.copyOfRange(all, r * cols, (r + 1) * cols);
                    q.roundTrip(row, qa);
                    for (int j = 0; j < cols; j++) {
                        double e = (double) (qa[j] - row[j]) * (qa[j] - row[j]);
                        err += e;
                        energy += (double) row[j] * row[j];
                        colErr[j] += e;
                        rowErr[r] += e;
                        rc += f.rowSums()[r] * f.colSums()[j] / f.trace() * e;
                    }
                }
                for (int j = 0; j < cols; j++) cOnly += f.colSums()[j] / rows * colErr[j];
                for (int r = 0; r < rows; r++) rOnly += f.rowSums()[r] / cols * rowErr[r];
                double rel = err / energy;
                // shapes of the error a group quantizer makes, known before quantizing: row energy, group maxima
                double[] rowEnergy = new double[rows];
                double[] rowMax = new double[rows];
                double[][] gm = new double[rows][];
                double totalMax = 0, rcMax = 0;
                for (int r = 0; r < rows; r++) {
                    gm[r] = new double[cols];
                    for (int g0 = 0; g0 < cols; g0 += 32) {
                        double mx = 0;
                        for (int j = g0; j < Math.min(cols, g0 + 32); j++) mx = Math.max(mx, Math.abs(all[r * cols + j]));
                        for (int j = g0; j < Math.min(cols, g0 + 32); j++) gm[r][j] = mx * mx;
                        rowMax[r] += mx * mx * Math.min(32, cols - g0);
                    }
                    for (int j = 0; j < cols; j++) rowEnergy[r] += (double) all[r * cols + j] * all[r * cols + j];
                    totalMax += rowMax[r];
                    for (int j = 0; j < cols; j++) rcMax += f.rowSums()[r] * f.colSums()[j] / f.trace() * gm[r][j];
                }
                double re = 0, rm = 0;
                for (int r = 0; r < rows; r++) {
                    re += f.rowSums()[r] / cols * rowEnergy[r] / energy;
                    rm += f.rowSums()[r] / cols * rowMax[r] / totalMax;
                }
                pred[6][i] = f.klPerRelativeRowError() * rel;
                pred[7][i] = 0.5 * rel * energy * rm / f.positions();
                pred[8][i] = 0.5 * rel * energy * rcMax / totalMax / f.positions();
                Map<String, StoredTensor> t = new LinkedHashMap<>(m.tensors());
                t.put(w.name(), new SensitivityRankTest.Quantized(w, q));
                measured[i] = Perplexity.run(List.of(new Perplexity.Entry("q", Transformer.of(new TensorsView(m, t)))),
                        Optional.of(new Perplexity.Entry("base", base)), evalTokens, 1, new Perplexity.Settings(Math.min(256, base.architecture().maxPositions() > 0 ? base.architecture().maxPositions() : 256), 10),
                        ProgressSink.NONE, par).get(1).klMean();
                pred[0][i] = sens.isEmpty() ? 0 : sens.get(w.name()).damage(rel);
                pred[1][i] = f.klPerRelativePower() * rel;
                pred[2][i] = 0.5 * rc / f.positions();
                pred[3][i] = 0.5 * cOnly / f.positions();
                pred[4][i] = 0.5 * rOnly / f.positions();
                pred[5][i] = rel * rows * cols;
                if (Boolean.getBoolean("swan.experiment.verbose")) {
                    System.out.printf("  %-45s measured %.5f noise %.5f (exp %.2f) fisher-rows %.5f rel %.4f%n", w.name(), measured[i],
                            pred[0][i], sens.isEmpty() ? 0 : sens.get(w.name()).exponent(), pred[6][i], rel);
                }
            }
            for (int k = 0; k < label.length; k++) {
                if (k == 0 && sens.isEmpty()) continue;
                double ratio = 0;
                for (int i = 0; i < n; i++) ratio += Math.log(pred[k][i] / measured[i]);
                System.out.printf("  %-20s Spearman %.3f  (geometric mean predicted/measured %.3f)%n", label[k],
                        SensitivityRankTest.spearman(pred[k], measured), Math.exp(ratio / n));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
