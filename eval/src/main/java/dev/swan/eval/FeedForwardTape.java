package dev.swan.eval;

import dev.swan.api.numeric.Parallel;

/** A feed-forward block run with what its backward pass needs kept: a gated MLP or a mixture of experts. */
interface FeedForwardTape {
    /**
     * Runs {@code f} on x[hidden × t] into y, keeping its intermediates; {@code bounds} cut t into sequences;
     * {@code energies}, when not null, records the projections' inputs.
     */
    static FeedForwardTape run(Transformer.FeedForward f, float[] x, int t, int[] bounds, float[] y, Parallel par,
                               Energies energies) {
        if (f instanceof Transformer.GatedMlp m) return Mlp.run(m, x, t, bounds, y, par, energies);
        if (f instanceof MixtureOfExperts m) return Moe.run(m, x, t, bounds, y, par, energies);
        throw new IllegalStateException("no backward pass for " + f.getClass().getSimpleName());
    }

    /** The gradient at the block's input for dy at its output; adds every weight's statistics to {@code sums}. */
    float[] backward(float[] dy, FisherSums sums, Parallel par);

    /** down(silu(gate(x)) · up(x)) with x, gate(x), up(x) and the product kept. */
    record Mlp(Transformer.GatedMlp m, float[] x, int t, int[] bounds, float[] g, float[] u, float[] act)
            implements FeedForwardTape {
        static Mlp run(Transformer.GatedMlp m, float[] x, int t, int[] bounds, float[] y, Parallel par, Energies energies) {
            if (energies != null) {
                energies.add(m.gate(), x, t);
                energies.add(m.up(), x, t);
            }
            float[] g = new float[m.gate().out() * t];
            float[] u = new float[m.up().out() * t];
            m.gate().forward(x, t, g, par);
            m.up().forward(x, t, u, par);
            float[] act = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                float a = g[i];
                act[i] = (float) (a / (1.0 + Math.exp(-a))) * u[i];
            }
            if (energies != null) energies.add(m.down(), act, t);
            m.down().forward(act, t, y, par);
            return new Mlp(m, x, t, bounds, g, u, act);
        }

        @Override
        public float[] backward(float[] dy, FisherSums sums, Parallel par) {
            float[] da = sums.linear(m.down(), dy, act, t, bounds, par);
            float[] dg = g.clone();
            float[] du = u.clone();
            Backprop.siluGate(dg, du, da);
            float[] dx = sums.linear(m.gate(), dg, x, t, bounds, par);
            Backprop.add(dx, sums.linear(m.up(), du, x, t, bounds, par));
            return dx;
        }
    }

    /**
     * A mixture of experts: the router's logits and routing, each used expert's inputs, tape and outputs,
     * and the shared expert with its gate. Routing is piecewise constant: gradients flow through the
     * chosen experts' weights, not through which experts were chosen.
     */
    record Moe(MixtureOfExperts m, float[] x, int t, int[] bounds, float[] logits, MixtureOfExperts.Routing routing,
               FeedForwardTape[] experts, float[][] outputs, FeedForwardTape shared, float[] sharedOut, float[] sharedGate)
            implements FeedForwardTape {
        static Moe run(MixtureOfExperts m, float[] x, int t, int[] bounds, float[] y, Parallel par, Energies energies) {
            int d = x.length / t;
            int e = m.experts();
            float[] logits = new float[e * t];
            if (energies != null) energies.add(m.router(), x, t);
            m.router().forward(x, t, logits, par);
            MixtureOfExperts.Routing r = m.route(logits, t);
            FeedForwardTape[] tapes = new FeedForwardTape[e];
            float[][] outputs = new float[e][];
            java.util.Arrays.fill(y, 0f);
            for (int i = 0; i < e; i++) {
                int[] pos = r.chosen()[i];
                int n = pos.length;
                if (n == 0) continue;
                float[] xe = gather(x, d, t, pos);
                float[] ye = new float[d * n];
                tapes[i] = FeedForwardTape.run(m.expert(i), xe, n, subBounds(bounds, pos), ye, par, energies);
                outputs[i] = ye;
                float[] w = r.weight()[i];
                for (int k = 0; k < d; k++) {
                    for (int j = 0; j < n; j++) y[k * t + pos[j]] += w[j] * ye[k * n + j];
                }
            }
            FeedForwardTape shared = null;
            float[] ys = null;
            float[] g = null;
            if (m.shared() != null) {
                ys = new float[d * t];
                shared = FeedForwardTape.run(m.shared(), x, t, bounds, ys, par, energies);
                g = new float[t];
                if (energies != null) energies.add(m.sharedGate(), x, t);
                m.sharedGate().forward(x, t, g, par);
                for (int p = 0; p < t; p++) {
                    float s = (float) (1.0 / (1.0 + Math.exp(-g[p])));
                    for (int k = 0; k < d; k++) y[k * t + p] += s * ys[k * t + p];
                }
            }
            return new Moe(m, x, t, bounds, logits, r, tapes, outputs, shared, ys, g);
        }

        @Override
        public float[] backward(float[] dy, FisherSums sums, Parallel par) {
            int d = x.length / t;
            int e = m.experts();
            int k = routing.top().length / t;
            float[] dx = new float[d * t];
            // gradient of each chosen expert's weight: dy · that expert's output at the position
            double[] dw = new double[t * k];
            for (int i = 0; i < e; i++) {
                int[] pos = routing.chosen()[i];
                int n = pos.length;
                if (n == 0) continue;
                float[] w = routing.weight()[i];
                float[] dye = new float[d * n];
                for (int c = 0; c < d; c++) {
                    for (int j = 0; j < n; j++) dye[c * n + j] = w[j] * dy[c * t + pos[j]];
                }
                float[] ye = outputs[i];
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) s += (double) dy[c * t + pos[j]] * ye[c * n + j];
                    dw[slot(pos[j], i, k)] = s;
                }
                float[] dxe = experts[i].backward(dye, sums, par);
                for (int c = 0; c < d; c++) {
                    for (int j = 0; j < n; j++) dx[c * t + pos[j]] += dxe[c * n + j];
                }
            }
            Backprop.add(dx, sums.linear(m.router(), routerGradient(dw, k), x, t, bounds, par));
            if (shared != null) {
                float[] dys = new float[d * t];
                float[] dg = new float[t];
                for (int p = 0; p < t; p++) {
                    double s = 1.0 / (1.0 + Math.exp(-sharedGate[p]));
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dys[c * t + p] = (float) (s * dy[c * t + p]);
                        dot += (double) dy[c * t + p] * sharedOut[c * t + p];
                    }
                    dg[p] = (float) (s * (1 - s) * dot);
                }
                Backprop.add(dx, sums.linear(m.sharedGate(), dg, x, t, bounds, par));
                Backprop.add(dx, shared.backward(dys, sums, par));
            }
            return dx;
        }

        /** The index in {@code routing.top()} where position p chose expert i. */
        private int slot(int p, int i, int k) {
            for (int j = 0; j < k; j++) if (routing.top()[p * k + j] == i) return p * k + j;
            throw new IllegalStateException("expert " + i + " not chosen at " + p);
        }

        /**
         * The router logits' gradient from the chosen experts' weights' gradients {@code dw}: through the
         * softmax over the chosen experts when the weights are renormalised, else through the full softmax.
         */
        private float[] routerGradient(double[] dw, int k) {
            int e = m.experts();
            float[] dz = new float[e * t];
            double[] prob = new double[e];
            for (int p = 0; p < t; p++) {
                if (m.normTopK()) {
                    double s = 0;
                    for (int j = 0; j < k; j++) s += dw[p * k + j] * routing.topWeight()[p * k + j];
                    for (int j = 0; j < k; j++) {
                        double w = routing.topWeight()[p * k + j];
                        dz[routing.top()[p * k + j] * t + p] = (float) (w * (dw[p * k + j] - s));
                    }
                } else {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < e; i++) max = Math.max(max, logits[i * t + p]);
                    double sum = 0;
                    for (int i = 0; i < e; i++) sum += prob[i] = Math.exp(logits[i * t + p] - max);
                    double s = 0;
                    for (int j = 0; j < k; j++) s += dw[p * k + j] * prob[routing.top()[p * k + j]] / sum;
                    double[] chosen = new double[e];
                    for (int j = 0; j < k; j++) chosen[routing.top()[p * k + j]] = dw[p * k + j];
                    for (int i = 0; i < e; i++) dz[i * t + p] = (float) (prob[i] / sum * (chosen[i] - s));
                }
            }
            return dz;
        }

        private static float[] gather(float[] x, int d, int t, int[] pos) {
            int n = pos.length;
            float[] out = new float[d * n];
            for (int c = 0; c < d; c++) {
                for (int j = 0; j < n; j++) out[c * n + j] = x[c * t + pos[j]];
            }
            return out;
        }

        /** The sequence bounds of the routed positions {@code pos} (ascending) inside sequences {@code bounds}. */
        private static int[] subBounds(int[] bounds, int[] pos) {
            int[] out = new int[bounds.length];
            int j = 0;
            for (int s = 0; s < bounds.length; s++) {
                while (j < pos.length && pos[j] < bounds[s]) j++;
                out[s] = j;
            }
            return out;
        }
    }
}
