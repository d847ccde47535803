package dev.swan.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.api.Quantizer;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.numeric.Parallel;
import dev.swan.testkit.SharedModels;
import dev.swan.format.mlx.MlxFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The importance model is chosen by measurement: for every quantizable matrix of stories260K, the damage
 * predicted from self-calibration as the pipeline runs it (the Fisher pass on the model's own text, times
 * the tensor's own 4-bit error) ranks the tensors as the damage measured with swan eval does (KL divergence
 * on the TinyStories excerpt with only that tensor at MLX 4-bit), and far better than the weight-only
 * model (each weight's relative error counts once).
 * {@code -Dswan.rank.model=qwen3-gutenberg-4m -Dswan.rank.ids=...} runs it on another shared model.
 */
class SensitivityRankTest {
    /** The tensor as the quantizer leaves it. */
    record Quantized(StoredTensor w, Quantizer q) implements StoredTensor {
        public String name() {
            return w.name();
        }

        public long[] shape() {
            return w.shape();
        }

        public String encoding() {
            return q.spec();
        }

        public long storedBytes() {
            return 0;
        }

        public void decodeRows(long first, int count, float[] dst) {
            w.decodeRows(first, count, dst);
            int c = (int) w.cols();
            float[] row = new float[c];
            float[] out = new float[c];
            for (int i = 0; i < count; i++) {
                System.arraycopy(dst, i * c, row, 0, c);
                q.roundTrip(row, out);
                System.arraycopy(out, 0, dst, i * c, c);
            }
        }
    }

    @Test
    void selfCalibratedDamageRanksTensorsAsMeasuredDamageDoes() throws Exception {
        String model = System.getProperty("swan.rank.model", "stories260K");
        String ids = System.getProperty("swan.rank.ids", "tinystories/tinystories-valid-excerpt.stories260K.ids");
        ForkJoinPool pool = new ForkJoinPool(2);
        try (HfStoredModel hf = HfStoredModel.open(SharedModels.model(model))) {
            Parallel par = Parallel.of(pool);
            StoredModel m = SelfCalibration.untiedView(hf);
            Transformer base = Transformer.of(m);
            SelfCalibration.Plan plan = SelfCalibration.Plan.of(base.parameters(), Integer.getInteger("swan.rank.tokens", 0));
            int bos = ((Number) m.config().raw().getOrDefault("bos_token_id", 1L)).intValue();
            int[][] texts = SelfCalibration.contexts(base, bos, plan, 42, par, ProgressSink.NONE);
            List<String> names = new ArrayList<>();
            for (StoredTensor t : m.tensors().values()) if (t.shape().length == 2 && t.cols() % 64 == 0) names.add(t.name());
            Map<String, FisherInformation.TensorFisher> fisher = FisherInformation.measure(m, texts,
                    new FisherInformation.Settings(plan.draws(), 42), ProgressSink.NONE, par).tensors();
            Quantizer q = new MlxFormat().quantizer("mlx:4:64").orElseThrow();
            int[] tokens = EvalInputs.ids(SharedModels.eval(ids));
            double[] measured = new double[names.size()];
            double[] selfcal = new double[names.size()];
            double[] weightOnly = new double[names.size()];
            for (int i = 0; i < names.size(); i++) {
                StoredTensor w = m.tensors().get(names.get(i));
                double rel = relativeError(w, q);
                Map<String, StoredTensor> t = new LinkedHashMap<>(m.tensors());
                t.put(w.name(), new Quantized(w, q));
                measured[i] = Perplexity.run(List.of(new Perplexity.Entry("q", Transformer.of(new TensorsView(m, t)))),
                        Optional.of(new Perplexity.Entry("base", base)), tokens, 1,
                        new Perplexity.Settings(Math.min(256, base.architecture().maxPositions() > 0 ? base.architecture().maxPositions() : 256), 10),
                        ProgressSink.NONE, par).get(1).klMean();
                selfcal[i] = fisher.get(w.name()).klPerRelativeRowError() * rel;
                weightOnly[i] = rel * w.rows() * w.cols();
            }
            double rs = spearman(selfcal, measured);
            double rw = spearman(weightOnly, measured);
            System.out.printf("%s: Spearman(predicted, measured damage) over %d tensors: self-calibrated %.3f, weight-only %.3f%n",
                    model, names.size(), rs, rw);
            assertTrue(rs > 0.85, "self-calibrated ranking: " + rs);
            assertTrue(rs > rw + 0.2, "self-calibration beats weight-only: " + rs + " vs " + rw);
        } finally {
            pool.shutdownNow();
        }
    }

    static double relativeError(StoredTensor w, Quantizer q) {
        int c = (int) w.cols();
        float[] row = new float[c];
        float[] out = new float[c];
        double err = 0, energy = 0;
        for (long r = 0; r < w.rows(); r++) {
            w.decodeRows(r, 1, row);
            q.roundTrip(row, out);
            for (int i = 0; i < c; i++) {
                err += (double) (out[i] - row[i]) * (out[i] - row[i]);
                energy += (double) row[i] * row[i];
            }
        }
        return err / energy;
    }

    static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0);
        double mb = Arrays.stream(rb).average().orElse(0);
        double c = 0, va = 0, vb = 0;
        for (int i = 0; i < a.length; i++) {
            c += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return c / Math.sqrt(va * vb);
    }

    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < idx.length; i++) r[idx[i]] = i;
        return r;
    }
}
