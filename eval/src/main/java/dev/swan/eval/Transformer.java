package dev.swan.eval;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.toolkit.numeric.MatMul;
import dev.swan.api.numeric.Parallel;
import java.util.Arrays;
import java.util.Map;

/**
 * The forward pass of a dense decoder (llama, qwen2, qwen3) over a {@link StoredModel}: embeddings,
 * per layer RMSNorm → attention (q/k/v projections, optional biases, qwen3's per-head q/k norms, RoPE,
 * causal grouped-query attention) → residual → RMSNorm → SiLU-gated MLP → residual, then the final norm
 * and the output head (the embedding when tied). Float32 throughout, activations feature-major.
 */
public final class Transformer {
    private final Architecture arch;
    private final StoredModel model;
    private final StoredTensor embedding;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Linear head;
    private final Rope rope;

    /** One decoder layer; {@link FeedForward} is the part a mixture-of-experts layer replaces. */
    record Layer(float[] attnNorm, Linear q, Linear k, Linear v, Linear o, float[] qNorm, float[] kNorm,
                         float[] ffnNorm, FeedForward ffn) {
    }

    /** The position-wise block after attention. */
    interface FeedForward {
        /** y[hidden × t] = FFN(x[hidden × t]); {@code energies}, when not null, records the projections' inputs. */
        void forward(float[] x, int t, float[] y, Parallel par, Energies energies);
    }

    /** down(silu(gate(x)) · up(x)). */
    record GatedMlp(Linear gate, Linear up, Linear down) implements FeedForward {
        @Override
        public void forward(float[] x, int t, float[] y, Parallel par, Energies energies) {
            float[] g = new float[gate.out() * t];
            float[] u = new float[up.out() * t];
            if (energies != null) {
                energies.add(gate, x, t);
                energies.add(up, x, t);
            }
            gate.forward(x, t, g, par);
            up.forward(x, t, u, par);
            for (int i = 0; i < g.length; i++) {
                float a = g[i];
                g[i] = (float) (a / (1.0 + Math.exp(-a))) * u[i];
            }
            if (energies != null) energies.add(down, g, t);
            down.forward(g, t, y, par);
        }
    }

    private Transformer(Architecture arch, StoredModel model, StoredTensor embedding, Layer[] layers, float[] finalNorm,
                        Linear head, Rope rope) {
        this.arch = arch;
        this.model = model;
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.head = head;
        this.rope = rope;
    }

    /** Checks the model's architecture and tensors (names and shapes) and prepares the pass; reads norms only. */
    public static Transformer of(StoredModel model) {
        Architecture a = Architecture.of(model.config());
        Map<String, StoredTensor> t = model.tensors();
        Weights w = new Weights(model);
        StoredTensor embed = w.matrix("model.embed_tokens.weight", -1, a.hidden());
        int vocab = Math.toIntExact(embed.rows());
        if (a.vocab() > 0 && a.vocab() != vocab) {
            throw new ModelFormatException(model.path(), "vocab_size", a.vocab() + " disagrees with the embedding's "
                    + vocab + " rows");
        }
        Layer[] layers = new Layer[a.layers()];
        for (int i = 0; i < a.layers(); i++) {
            String p = "model.layers." + i + ".";
            boolean qwen3 = a.family().equals("qwen3");
            layers[i] = new Layer(w.vector(p + "input_layernorm.weight", a.hidden()),
                    w.linear(p + "self_attn.q_proj", a.qDim(), a.hidden()),
                    w.linear(p + "self_attn.k_proj", a.kvDim(), a.hidden()),
                    w.linear(p + "self_attn.v_proj", a.kvDim(), a.hidden()),
                    w.linear(p + "self_attn.o_proj", a.hidden(), a.qDim()),
                    qwen3 ? w.vector(p + "self_attn.q_norm.weight", a.headDim()) : null,
                    qwen3 ? w.vector(p + "self_attn.k_norm.weight", a.headDim()) : null,
                    w.vector(p + "post_attention_layernorm.weight", a.hidden()),
                    feedForward(w, a, i));
        }
        Linear head = t.containsKey("lm_head.weight") ? w.linear("lm_head", vocab, a.hidden()) : new Linear(embed, null);
        float[] freqs = t.containsKey("rope_freqs.weight") ? w.vector("rope_freqs.weight", a.headDim() / 2) : null;
        return new Transformer(a, model, embed, layers, w.vector("model.norm.weight", a.hidden()), head, new Rope(a, freqs));
    }

    /** Layer {@code l}'s MLP, or its mixture of experts (router, experts by slice, qwen2_moe's shared expert). */
    private static FeedForward feedForward(Weights w, Architecture a, int l) {
        String p = "model.layers." + l + ".";
        Architecture.Moe m = a.moe();
        if (m == null || m.denseLayers().contains(l)) {
            return new GatedMlp(w.linear(p + "mlp.gate_proj", a.intermediate(), a.hidden()),
                    w.linear(p + "mlp.up_proj", a.intermediate(), a.hidden()),
                    w.linear(p + "mlp.down_proj", a.hidden(), a.intermediate()));
        }
        String b = p + m.block() + ".";
        int ff = m.expertIntermediate();
        FeedForward[] experts = new FeedForward[m.experts()];
        for (int e = 0; e < experts.length; e++) {
            int x = e;
            java.util.function.Function<String, String> name = kind -> new dev.swan.toolkit.model.ExpertWeight(l, m.block(), x,
                    dev.swan.toolkit.model.ExpertWeight.spelling(m.block(), kind)).sliceName(x);
            experts[e] = new GatedMlp(w.expert(name.apply("gate"), ff, a.hidden()), w.expert(name.apply("up"), ff, a.hidden()),
                    w.expert(name.apply("down"), a.hidden(), ff));
        }
        FeedForward shared = null;
        Linear sharedGate = null;
        if (m.sharedIntermediate() > 0) {
            int sh = m.sharedIntermediate();
            shared = new GatedMlp(w.linear(b + "shared_expert.gate_proj", sh, a.hidden()),
                    w.linear(b + "shared_expert.up_proj", sh, a.hidden()), w.linear(b + "shared_expert.down_proj", a.hidden(), sh));
            sharedGate = w.linear(b + "shared_expert_gate", 1, a.hidden());
        }
        return new MixtureOfExperts(w.linear(b + "gate", m.experts(), a.hidden()), experts, shared, sharedGate,
                m.perToken(), m.normTopK());
    }

    public Architecture architecture() {
        return arch;
    }

    /** Layer {@code l}'s weights, for the backward pass. */
    Layer layer(int l) {
        return layers[l];
    }

    StoredTensor embedding() {
        return embedding;
    }

    float[] finalNorm() {
        return finalNorm;
    }

    Linear head() {
        return head;
    }

    Rope rope() {
        return rope;
    }

    /** The embeddings of {@code tokens}, feature-major ({@code hidden × tokens}). */
    float[] embedTokens(int[] tokens) {
        return embed(tokens);
    }

    public StoredModel model() {
        return model;
    }

    /** Weights the file stores (what bits per weight are counted over, as llama.cpp counts them; every expert counts). */
    public long parameters() {
        long n = 0;
        for (StoredTensor t : model.tensors().values()) {
            if (t.name().equals("rope_freqs.weight")) continue;
            long e = 1;
            for (long d : t.shape()) e *= d;
            n += e;
        }
        return n;
    }

    /** Rows of the output head: the number of logits per position. */
    public int vocabSize() {
        return head.out();
    }

    /**
     * Runs {@code tokens} (positions 0..t-1, causal) and returns the logits at positions
     * {@code [from, to)}, feature-major: {@code logits[v · (to - from) + (p - from)]}.
     */
    public float[] logits(int[] tokens, int from, int to, Parallel par) {
        return logitsFrom(0, embed(tokens), tokens.length, from, to, par);
    }

    /** Layers in the model. */
    public int layers() {
        return layers.length;
    }

    /**
     * The residual stream at the input of every layer and after the last ({@code layers() + 1} arrays of
     * {@code hidden × t}), so a pass whose change starts at layer l can resume there ({@link #logitsFrom}).
     */
    public float[][] residuals(int[] tokens, Parallel par) {
        int t = tokens.length;
        float[][] out = new float[layers.length + 1][];
        float[] x = embed(tokens);
        float[][] table = rope.table(t);
        for (int l = 0; l < layers.length; l++) {
            out[l] = x.clone();
            layer(layers[l], x, t, table, par, null);
        }
        out[layers.length] = x;
        return out;
    }

    /**
     * Logits at positions {@code [from, to)} of a pass that enters layer {@code layer} with residual stream
     * {@code residual} ({@code hidden × t}, not modified); {@code layer == layers()} applies only the final
     * norm and head.
     */
    public float[] logitsFrom(int layer, float[] residual, int t, int from, int to, Parallel par) {
        return logitsFrom(layer, residual, t, from, to, par, null);
    }

    private float[] logitsFrom(int layer, float[] residual, int t, int from, int to, Parallel par, Energies energies) {
        int d = arch.hidden();
        float[] x = residual.clone();
        float[][] table = rope.table(t);
        for (int l = layer; l < layers.length; l++) layer(layers[l], x, t, table, par, energies);
        int s = to - from;
        float[] sel = new float[d * s];
        for (int k = 0; k < d; k++) System.arraycopy(x, k * t + from, sel, k * s, s);
        float[] normed = new float[d * s];
        rmsNorm(sel, d, s, finalNorm, arch.rmsEps(), normed);
        float[] logits = new float[head.out() * s];
        if (energies != null) energies.add(head, normed, s);
        head.forward(normed, s, logits, par);
        return logits;
    }

    /**
     * Per weight (Hugging Face name), the mean square of each input column over every position of the
     * texts: the importance matrix llama.cpp's imatrix tool computes, for importance-weighted quantizers.
     */
    public Map<String, float[]> inputEnergies(int[][] texts, Parallel par) {
        Energies e = new Energies();
        for (int[] text : texts) logitsFrom(0, embed(text), text.length, 0, text.length, par, e);
        return e.means();
    }

    /** Incremental decoding: one token at a time, keys and values of earlier positions cached per layer. */
    public Session session(int capacity) {
        return new Session(1, capacity);
    }

    /**
     * Incremental decoding of {@code sequences} sequences in lockstep: each step feeds one token to every
     * sequence, so the weights are decoded once per step for all of them.
     */
    public Session session(int sequences, int capacity) {
        return new Session(sequences, capacity);
    }

    /** A decoding session (not thread-safe; its products still use the given thread budget). */
    public final class Session {
        private final float[][][] keys;
        private final float[][][] values;
        private final int sequences;
        private final int capacity;
        private int position;

        private Session(int sequences, int capacity) {
            this.sequences = sequences;
            this.capacity = capacity;
            keys = new float[layers.length][sequences][capacity * arch.kvDim()];
            values = new float[layers.length][sequences][capacity * arch.kvDim()];
        }

        /** Feeds {@code token} at the next position and returns the next-token logits ({@code vocabSize()} values). */
        public float[] next(int token, Parallel par) {
            return next(new int[] {token}, par);
        }

        /**
         * Feeds {@code tokens[b]} to sequence b at the next position; returns the next-token logits of every
         * sequence, feature-major ({@code logits[v · sequences + b]}).
         */
        public float[] next(int[] tokens, Parallel par) {
            if (tokens.length != sequences) throw new IllegalArgumentException(tokens.length + " tokens for " + sequences + " sequences");
            if (position >= capacity) throw new IllegalStateException("session full at " + capacity + " positions");
            int n = sequences;
            int d = arch.hidden();
            int hd = arch.headDim();
            int kv = arch.kvDim();
            float[] x = embed(tokens);
            float[][] at = rope.tableAt(position);
            float[][] table = {repeat(at[0], n), repeat(at[1], n)};
            float[] h = new float[d * n];
            float[] y = new float[d * n];
            for (int l = 0; l < layers.length; l++) {
                Layer layer = layers[l];
                rmsNorm(x, d, n, layer.attnNorm, arch.rmsEps(), h);
                float[][] qkv = queriesKeysValues(layer, h, n, table, par);
                float[] q = qkv[0];
                float[] k = qkv[1];
                float[] v = qkv[2];
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < kv; i++) {
                        keys[l][b][position * kv + i] = k[i * n + b];
                        values[l][b][position * kv + i] = v[i * n + b];
                    }
                }
                float[] o = new float[arch.qDim() * n];
                int group = arch.heads() / arch.kvHeads();
                double scale = 1.0 / Math.sqrt(hd);
                int first = arch.slidingWindow() > 0 ? Math.max(0, position - arch.slidingWindow() + 1) : 0;
                float[][] ks = keys[l];
                float[][] vs = values[l];
                par.forEach(n, b -> {
                    double[] p = new double[position + 1];
                    for (int head = 0; head < arch.heads(); head++) {
                        int ko = (head / group) * hd;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = first; j <= position; j++) {
                            double dot = 0;
                            for (int i = 0; i < hd; i++) dot += (double) q[(head * hd + i) * n + b] * ks[b][j * kv + ko + i];
                            p[j] = dot * scale;
                            max = Math.max(max, p[j]);
                        }
                        double sum = 0;
                        for (int j = first; j <= position; j++) sum += p[j] = Math.exp(p[j] - max);
                        for (int j = first; j <= position; j++) {
                            double w = p[j] / sum;
                            for (int i = 0; i < hd; i++) o[(head * hd + i) * n + b] += (float) (w * vs[b][j * kv + ko + i]);
                        }
                    }
                });
                layer.o.forward(o, n, y, par);
                add(x, y);
                rmsNorm(x, d, n, layer.ffnNorm, arch.rmsEps(), h);
                layer.ffn.forward(h, n, y, par, null);
                add(x, y);
            }
            position++;
            float[] normed = new float[d * n];
            rmsNorm(x, d, n, finalNorm, arch.rmsEps(), normed);
            float[] logits = new float[head.out() * n];
            head.forward(normed, n, logits, par);
            return logits;
        }
    }

    /**
     * A key/value cache for one sequence that grows by blocks of tokens and can be cut back: a shared prefix
     * (a question's context) is computed once and each continuation (its choices) extends it in turn.
     */
    public Cache cache(int capacity) {
        return new Cache(capacity);
    }

    /** One sequence's cached keys and values (not thread-safe; its products use the given thread budget). */
    public final class Cache {
        private final float[][] keys;
        private final float[][] values;
        private final int capacity;
        private int length;

        private Cache(int capacity) {
            this.capacity = capacity;
            keys = new float[layers.length][capacity * arch.kvDim()];
            values = new float[layers.length][capacity * arch.kvDim()];
        }

        /** Positions it can hold. */
        public int capacity() {
            return capacity;
        }

        /** Positions held. */
        public int length() {
            return length;
        }

        /** Forgets every position from {@code to} on. */
        public void rewind(int to) {
            if (to < 0 || to > length) throw new IllegalArgumentException("cannot rewind " + length + " positions to " + to);
            length = to;
        }

        /**
         * Feeds {@code tokens} at the next positions (one batched pass, each attending to the cache and the
         * block's earlier tokens) and returns the next-token logits at block positions {@code [from, t)},
         * feature-major: {@code logits[v · (t - from) + (p - from)]}.
         */
        public float[] extend(int[] tokens, int from, Parallel par) {
            int t = tokens.length;
            if (t == 0 || from < 0 || from > t) throw new IllegalArgumentException("block of " + t + " tokens, logits from " + from);
            if (length + t > capacity) {
                throw new EvalException((length + t) + " positions exceed the cache's " + capacity);
            }
            int d = arch.hidden();
            float[] x = embed(tokens);
            float[][] table = rope.table(length, t);
            float[] h = new float[d * t];
            float[] y = new float[d * t];
            for (int l = 0; l < layers.length; l++) {
                Layer layer = layers[l];
                rmsNorm(x, d, t, layer.attnNorm, arch.rmsEps(), h);
                cachedAttention(l, layer, h, t, table, y, par);
                add(x, y);
                rmsNorm(x, d, t, layer.ffnNorm, arch.rmsEps(), h);
                layer.ffn.forward(h, t, y, par, null);
                add(x, y);
            }
            length += t;
            int s = t - from;
            float[] sel = new float[d * s];
            for (int k = 0; k < d; k++) System.arraycopy(x, k * t + from, sel, k * s, s);
            float[] normed = new float[d * s];
            rmsNorm(sel, d, s, finalNorm, arch.rmsEps(), normed);
            float[] logits = new float[head.out() * s];
            if (s > 0) head.forward(normed, s, logits, par);
            return logits;
        }

        private void cachedAttention(int l, Layer layer, float[] h, int t, float[][] table, float[] out, Parallel par) {
            int hd = arch.headDim();
            int kv = arch.kvDim();
            float[][] qkv = queriesKeysValues(layer, h, t, table, par);
            float[] q = qkv[0];
            float[] k = qkv[1];
            float[] v = qkv[2];
            float[] ks = keys[l];
            float[] vs = values[l];
            for (int p = 0; p < t; p++) {
                for (int i = 0; i < kv; i++) {
                    ks[(length + p) * kv + i] = k[i * t + p];
                    vs[(length + p) * kv + i] = v[i * t + p];
                }
            }
            float[] o = new float[arch.qDim() * t];
            int group = arch.heads() / arch.kvHeads();
            double scale = 1.0 / Math.sqrt(hd);
            int window = arch.slidingWindow();
            int start = length;
            par.forEach(arch.heads(), head -> {
                int ko = (head / group) * hd;
                double[] w = new double[start + t];
                for (int p = 0; p < t; p++) {
                    int at = start + p;
                    int first = window > 0 ? Math.max(0, at - window + 1) : 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = first; j <= at; j++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) dot += (double) q[(head * hd + i) * t + p] * ks[j * kv + ko + i];
                        w[j] = dot * scale;
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = first; j <= at; j++) sum += w[j] = Math.exp(w[j] - max);
                    for (int i = 0; i < hd; i++) {
                        double acc = 0;
                        for (int j = first; j <= at; j++) acc += w[j] * vs[j * kv + ko + i];
                        o[(head * hd + i) * t + p] = (float) (acc / sum);
                    }
                }
            });
            layer.o.forward(o, t, out, par);
        }
    }

    /** Each row of a one-position table repeated for n positions ({@code [half × 1]} to {@code [n × half]}). */
    private static float[] repeat(float[] row, int n) {
        float[] out = new float[row.length * n];
        for (int p = 0; p < n; p++) System.arraycopy(row, 0, out, p * row.length, row.length);
        return out;
    }

    /** The embeddings of the tokens, feature-major. */
    private float[] embed(int[] tokens) {
        int t = tokens.length;
        int d = arch.hidden();
        float[] x = new float[d * t];
        float[] row = new float[d];
        for (int p = 0; p < t; p++) {
            if (tokens[p] < 0 || tokens[p] >= embedding.rows()) {
                throw new IllegalArgumentException("token id " + tokens[p] + " outside the vocabulary of " + embedding.rows());
            }
            embedding.decodeRows(tokens[p], 1, row);
            for (int k = 0; k < d; k++) x[k * t + p] = row[k];
        }
        return x;
    }

    /** One decoder layer, in place on the residual stream x. */
    private void layer(Layer layer, float[] x, int t, float[][] table, Parallel par, Energies energies) {
        int d = arch.hidden();
        float[] h = new float[d * t];
        float[] y = new float[d * t];
        rmsNorm(x, d, t, layer.attnNorm, arch.rmsEps(), h);
        attention(layer, h, t, table, y, par, energies);
        add(x, y);
        rmsNorm(x, d, t, layer.ffnNorm, arch.rmsEps(), h);
        layer.ffn.forward(h, t, y, par, energies);
        add(x, y);
    }

    private void attention(Layer l, float[] h, int t, float[][] table, float[] out, Parallel par, Energies energies) {
        if (energies != null) {
            energies.add(l.q, h, t);
            energies.add(l.k, h, t);
            energies.add(l.v, h, t);
        }
        int hd = arch.headDim();
        float[][] qkv = queriesKeysValues(l, h, t, table, par);
        float[] q = qkv[0];
        float[] k = qkv[1];
        float[] v = qkv[2];
        float[] o = new float[arch.qDim() * t];
        int group = arch.heads() / arch.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int window = arch.slidingWindow();
        par.forEach(arch.heads(), head -> {
            int kvh = head / group;
            float[] qh = Arrays.copyOfRange(q, head * hd * t, (head + 1) * hd * t);
            float[] kh = Arrays.copyOfRange(k, kvh * hd * t, (kvh + 1) * hd * t);
            float[] vh = Arrays.copyOfRange(v, kvh * hd * t, (kvh + 1) * hd * t);
            float[] s = new float[t * t]; // s[j·t + i]: key j against query i
            MatMul.multiplyTransposed(kh, hd, t, qh, t, s, Parallel.sequential());
            softmaxCausal(s, t, scale, window);
            float[] oh = new float[hd * t];
            MatMul.multiply(vh, hd, t, s, t, oh, Parallel.sequential());
            System.arraycopy(oh, 0, o, head * hd * t, hd * t);
        });
        if (energies != null) energies.add(l.o, o, t);
        l.o.forward(o, t, out, par);
    }

    /**
     * The queries, keys and values of {@code t} positions of normed input {@code h} (feature-major): the
     * projections, qwen3's per-head norms, then the rotation by {@code table} (one row per position).
     */
    private float[][] queriesKeysValues(Layer l, float[] h, int t, float[][] table, Parallel par) {
        int hd = arch.headDim();
        float[] q = new float[arch.qDim() * t];
        float[] k = new float[arch.kvDim() * t];
        float[] v = new float[arch.kvDim() * t];
        l.q.forward(h, t, q, par);
        l.k.forward(h, t, k, par);
        l.v.forward(h, t, v, par);
        if (l.qNorm != null) {
            headNorm(q, arch.heads(), hd, t, l.qNorm, arch.rmsEps());
            headNorm(k, arch.kvHeads(), hd, t, l.kNorm, arch.rmsEps());
        }
        Rope.apply(q, arch.heads(), hd, t, table);
        Rope.apply(k, arch.kvHeads(), hd, t, table);
        return new float[][] {q, k, v};
    }

    /** Column i of s (scores of query i): scaled, keys after i (or outside the window) masked, normalised. */
    static void softmaxCausal(float[] s, int t, float scale, int window) {
        float[] max = new float[t];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < t; j++) {
            int o = j * t;
            for (int i = j; i < t; i++) {
                float val = s[o + i] * scale;
                s[o + i] = val;
                if (val > max[i]) max[i] = val;
            }
        }
        double[] sum = new double[t];
        for (int j = 0; j < t; j++) {
            int o = j * t;
            for (int i = 0; i < j; i++) s[o + i] = 0f;
            for (int i = j; i < t; i++) {
                if (window > 0 && i - j >= window) {
                    s[o + i] = 0f;
                    continue;
                }
                float e = (float) Math.exp(s[o + i] - max[i]);
                s[o + i] = e;
                sum[i] += e;
            }
        }
        for (int j = 0; j < t; j++) {
            int o = j * t;
            for (int i = j; i < t; i++) s[o + i] = (float) (s[o + i] / sum[i]);
        }
    }

    /** RMSNorm of every position (column) of x[d × t] into y: x / sqrt(mean(x²) + eps) · w. */
    static void rmsNorm(float[] x, int d, int t, float[] w, double eps, float[] y) {
        double[] ss = new double[t];
        for (int k = 0; k < d; k++) {
            int o = k * t;
            for (int p = 0; p < t; p++) ss[p] += (double) x[o + p] * x[o + p];
        }
        float[] inv = new float[t];
        for (int p = 0; p < t; p++) inv[p] = (float) (1.0 / Math.sqrt(ss[p] / d + eps));
        for (int k = 0; k < d; k++) {
            int o = k * t;
            float wk = w[k];
            for (int p = 0; p < t; p++) y[o + p] = x[o + p] * inv[p] * wk;
        }
    }

    /** qwen3's RMSNorm over each head's width, in place. */
    static void headNorm(float[] x, int heads, int hd, int t, float[] w, double eps) {
        float[] tmp = new float[hd * t];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(x, h * hd * t, tmp, 0, hd * t);
            rmsNorm(tmp, hd, t, w, eps, tmp);
            System.arraycopy(tmp, 0, x, h * hd * t, hd * t);
        }
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }
}
