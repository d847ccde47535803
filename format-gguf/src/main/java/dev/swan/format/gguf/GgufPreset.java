package dev.swan.format.gguf;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama-quantize's recipes (its "ftype" mixtures, without an importance matrix) for dense llama and qwen
 * models: a default type per recipe, then per tensor the rules of llama.cpp's {@code llama_tensor_get_type}:
 * the output head (and a tied embedding) to Q6_K unless the recipe is Q8_0 (Q8_0 when its rows do not
 * suit 256-blocks); {@code attn_v}, {@code ffn_down} and {@code attn_output} raised in chosen layers (the
 * first and last eighth and every third in between for the _M recipes); the i-quant recipes IQ4_NL … IQ1_S
 * (the 1- and 2-bit ones with Q5_K heads, Q2_K or IQ3_S embeddings, and more bits for attn_v, attn_output
 * and the first eighth of ffn_down), the ternary TQ1_0 / TQ2_0 and MXFP4_MOE (experts MXFP4, the rest Q8_0)
 * with their own rules; then the shape fallback.
 */
enum GgufPreset {
    Q2_K(GgmlType.Q2_K), Q2_K_S(GgmlType.Q2_K), Q3_K_S(GgmlType.Q3_K), Q3_K_M(GgmlType.Q3_K), Q3_K_L(GgmlType.Q3_K),
    Q4_0(GgmlType.Q4_0), Q4_1(GgmlType.Q4_1), Q5_0(GgmlType.Q5_0), Q5_1(GgmlType.Q5_1), Q8_0(GgmlType.Q8_0),
    Q4_K_S(GgmlType.Q4_K), Q4_K_M(GgmlType.Q4_K), Q5_K_S(GgmlType.Q5_K), Q5_K_M(GgmlType.Q5_K), Q6_K(GgmlType.Q6_K),
    IQ4_NL(GgmlType.IQ4_NL), IQ4_XS(GgmlType.IQ4_XS), TQ1_0(GgmlType.TQ1_0), TQ2_0(GgmlType.TQ2_0),
    MXFP4_MOE(GgmlType.MXFP4), IQ3_M(GgmlType.IQ3_S), IQ3_S(GgmlType.IQ3_S), IQ3_XS(GgmlType.IQ3_S),
    IQ3_XXS(GgmlType.IQ3_XXS), IQ2_M(GgmlType.IQ2_S), IQ2_S(GgmlType.IQ2_XS), IQ2_XS(GgmlType.IQ2_XS),
    IQ2_XXS(GgmlType.IQ2_XXS), IQ1_M(GgmlType.IQ1_M), IQ1_S(GgmlType.IQ1_S);

    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");

    final GgmlType base;

    GgufPreset(GgmlType base) {
        this.base = base;
    }

    static Optional<GgufPreset> parse(String name) {
        for (GgufPreset p : values()) if (p.name().equalsIgnoreCase(name.trim())) return Optional.of(p);
        return Optional.empty();
    }

    static String names() {
        return String.join(", ", List.of(values()).stream().map(Enum::name).toList());
    }

    /**
     * The type llama-quantize gives a quantizable tensor (2-D, a weight, not a norm) under this recipe.
     *
     * @param gguf   the GGUF tensor name
     * @param cols   its row length (ne[0])
     * @param layers the model's block count
     * @param gqa    attention heads per key/value head
     * @param tied   true when the file has no separate output head
     */
    GgmlType typeFor(String gguf, long cols, int layers, int gqa, boolean tied) {
        return typeFor(gguf, cols, layers, gqa, tied, false, 0);
    }

    /**
     * As above; with an importance matrix Q4_0 and Q5_0 give the first eighth of ffn_down Q4_1 / Q5_1, as
     * llama-quantize does. With {@code experts} (a mixture of experts' expert_count) its MoE rules: every
     * ffn_down (the experts' stack and the shared expert's too) follows the ffn_down rules by the layer in its
     * name, and 8-expert models (Mixtral) get attn_v and attn_k in Q8_0 and attn_output in Q5_K for the
     * low-bit recipes.
     */
    GgmlType typeFor(String gguf, long cols, int layers, int gqa, boolean tied, boolean imatrix, int experts) {
        GgmlType t = base;
        Matcher m = LAYER.matcher(gguf);
        int layer = m.matches() ? (m.group(1).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(m.group(1))) : -1;
        String role = m.matches() ? m.group(2) : gguf;
        boolean iq4 = this == IQ4_NL || this == IQ4_XS;
        boolean iq2s = this == IQ2_S || this == IQ2_M;
        boolean lowBit = this == IQ2_XXS || this == IQ2_XS || this == IQ1_S || this == IQ1_M || iq2s;
        if (gguf.equals("output.weight") || (tied && gguf.equals("token_embd.weight"))) {
            if (this == MXFP4_MOE || cols % t.blockSize() != 0) t = GgmlType.Q8_0;
            else if (lowBit || this == IQ3_XXS) t = GgmlType.Q5_K;
            else if (t != GgmlType.Q8_0) t = GgmlType.Q6_K;
        } else if (this == MXFP4_MOE) {
            // the experts' stacks in MXFP4, everything else in Q8_0
            t = role.contains("_exps.") ? GgmlType.MXFP4 : GgmlType.Q8_0;
        } else if (gguf.equals("token_embd.weight")) {
            if (this == TQ1_0 || this == TQ2_0) t = GgmlType.Q4_K;
            else if (lowBit) t = iq2s ? GgmlType.IQ3_S : GgmlType.Q2_K;
            else if (this == IQ3_XXS) t = GgmlType.IQ3_S;
        } else if (lowBit) {
            t = lowBitRule(role, layer, layers, gqa, experts, iq2s, t);
        } else if (role.equals("attn_v.weight")) {
            if (this == Q2_K) t = gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            else if (this == Q2_K_S && gqa >= 4) t = GgmlType.Q4_K;
            else if (this == Q3_K_M) t = layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            else if (this == IQ3_XXS) t = gqa >= 4 ? GgmlType.Q4_K : imatrix ? GgmlType.IQ3_XXS : GgmlType.IQ3_S;
            else if ((this == IQ3_XS || this == IQ3_S) && gqa >= 4) t = GgmlType.Q4_K;
            else if (this == IQ3_M) t = GgmlType.Q4_K;
            else if (this == Q3_K_L) t = GgmlType.Q5_K;
            else if ((this == Q4_K_M || this == Q5_K_M) && moreBits(layer, layers)) t = GgmlType.Q6_K;
            else if (iq4 && gqa >= 4) t = GgmlType.Q5_K;
            else if (this == Q4_K_S && layer < 4) t = GgmlType.Q5_K;
            if (experts == 8) t = GgmlType.Q8_0;
        } else if (role.equals("attn_k.weight") || role.equals("attn_q.weight")) {
            if (experts == 8 && role.equals("attn_k.weight")) t = GgmlType.Q8_0;
            else if (this == IQ3_XS) t = GgmlType.IQ3_XXS;
            else if (this == IQ3_XXS) t = GgmlType.IQ2_S;
        } else if (role.startsWith("ffn_down")) {
            if (this == Q2_K) t = GgmlType.Q3_K;
            else if (this == IQ3_XXS && !imatrix) t = layer < layers / 8 ? GgmlType.Q4_K : GgmlType.Q3_K;
            else if (this == IQ3_M && (layer < layers / 8 || (experts == 8 && moreBits(layer, layers)))) t = GgmlType.Q4_K;
            else if (this == Q2_K_S && layer < layers / 8) t = GgmlType.Q4_K;
            else if (this == Q3_K_M) t = layer < layers / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
            else if (this == Q3_K_L) t = GgmlType.Q5_K;
            else if (this == Q4_K_M && moreBits(layer, layers)) t = GgmlType.Q6_K;
            else if (iq4 && !imatrix && layer < layers / 8) t = GgmlType.Q5_K;
            else if (this == Q5_K_M && moreBits(layer, layers)) t = GgmlType.Q6_K;
            else if (this == Q4_K_S && layer < layers / 8) t = GgmlType.Q5_K;
            else if ((this == Q4_0 || this == Q5_0) && imatrix && layer < layers / 8) {
                t = this == Q4_0 ? GgmlType.Q4_1 : GgmlType.Q5_1;
            }
        } else if (role.equals("attn_output.weight") && experts == 8) {
            if (this == Q2_K || this == Q3_K_S || this == Q3_K_M || this == Q4_K_S || this == Q4_K_M || iq4
                    || this == IQ3_XS || this == IQ3_XXS || this == IQ3_S || this == IQ3_M) t = GgmlType.Q5_K;
        } else if (role.equals("attn_output.weight")) {
            if (this == Q2_K) t = GgmlType.Q3_K;
            else if (this == IQ3_XXS) t = GgmlType.IQ3_S;
            else if (this == Q3_K_M || this == IQ3_M) t = GgmlType.Q4_K;
            else if (this == Q3_K_L) t = GgmlType.Q5_K;
        } else if (role.startsWith("ffn_gate") || role.startsWith("ffn_up")) {
            if (this == IQ3_XS && layer >= layers / 8 && layer < 7 * layers / 8) t = GgmlType.IQ3_XXS;
        }
        while (cols % t.blockSize() != 0) t = t.fallback();
        return t;
    }

    /**
     * The 1- and 2-bit recipes' rules (IQ2_XXS, IQ2_XS, IQ2_S, IQ2_M, IQ1_S, IQ1_M): attn_v Q4_K with grouped
     * attention (else IQ3_S or Q2_K), the first eighth of ffn_down IQ3_S or Q2_K, attn_output IQ2_XXS for the
     * 1-bit recipes and IQ3_S for IQ2_S/IQ2_M (Q5_K with 8 experts), attn_k Q4_K with 8 experts.
     */
    private static GgmlType lowBitRule(String role, int layer, int layers, int gqa, int experts, boolean iq2s, GgmlType t) {
        if (role.equals("attn_v.weight")) {
            if (gqa >= 4 || experts >= 4) return GgmlType.Q4_K;
            return iq2s ? GgmlType.IQ3_S : GgmlType.Q2_K;
        }
        if (experts == 8 && role.equals("attn_k.weight")) return GgmlType.Q4_K;
        if (role.startsWith("ffn_down")) return layer < layers / 8 ? (iq2s ? GgmlType.IQ3_S : GgmlType.Q2_K) : t;
        if (role.equals("attn_output.weight")) {
            if (experts == 8) return GgmlType.Q5_K;
            if (t == GgmlType.IQ1_S || t == GgmlType.IQ1_M) return GgmlType.IQ2_XXS;
            if (iq2s) return GgmlType.IQ3_S;
        }
        return t;
    }

    /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between. */
    static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
