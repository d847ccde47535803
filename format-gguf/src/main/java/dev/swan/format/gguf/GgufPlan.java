package dev.swan.format.gguf;

import dev.swan.api.AllocationPlan;
import dev.swan.api.ConfigException;
import dev.swan.api.OutputException;
import dev.swan.api.Parameters;
import dev.swan.api.TensorDecision;
import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GGUF type of every tensor: norms and vectors F32; the plan's bits mapped to types by the format's
 * parameters (defaults 16 → the source float type, 8 → Q8_0, 6 → Q6_K, 5 → Q5_K, 4 → Q4_K, 3 → Q3_K,
 * 2 → Q2_K); when a row does not divide into the type's blocks, llama-quantize's fallback chain
 * (Q4_K → Q5_0, Q6_K → Q8_0, …, F16 last) with the reason recorded.
 */
final class GgufPlan {
    /**
     * One output tensor. {@code source} is null for generated tensors (rope_freqs); an expert stack has its
     * slices in {@code parts} (expert order, {@code source} the first) and column weights of
     * {@code cols × experts} values, one row of them per expert.
     */
    record Entry(TensorInfo source, String name, long[] ne, GgmlType type, int permuteHeads, String note, float[] generated,
                 float[] importance, List<TensorInfo> parts) {
        Entry(TensorInfo source, String name, long[] ne, GgmlType type, int permuteHeads, String note, float[] generated) {
            this(source, name, ne, type, permuteHeads, note, generated, null, null);
        }

        /** The source tensors whose rows make this one, in order. */
        List<TensorInfo> sources() {
            return parts != null ? parts : List.of(source);
        }
    }

    static final Map<Integer, String> DEFAULT_TYPES = Map.of(8, "Q8_0", 6, "Q6_K", 5, "Q5_K", 4, "Q4_K", 3, "Q3_K",
            2, "Q2_K");

    private GgufPlan() {
    }

    /** The type for plan bits, from parameters {@code type_<bits>} / {@code type_16} / {@code uniform_type}. */
    static GgmlType typeFor(int bits, DType source, Parameters p) {
        String u = p.getString("uniform_type");
        if (!u.isEmpty()) {
            GgmlType ut = parse(u, "uniform_type");
            if (bits < 16 || ut.isFloat()) return ut; // a float baseline (F32/F16/BF16) applies to every matrix
        }
        if (bits >= 16) {
            String t = p.getString("type_16");
            if (!t.equals("auto")) return parse(t, "type_16");
            return source == DType.BF16 ? GgmlType.BF16 : GgmlType.F16;
        }
        String key = "type_" + bits;
        String t = p.asMap().containsKey(key) ? p.getString(key) : DEFAULT_TYPES.getOrDefault(bits, "Q8_0");
        return parse(t, key);
    }

    /** The llama-quantize recipe named by parameter {@code preset}, if any. */
    static Optional<GgufPreset> preset(Parameters p) {
        if (!p.asMap().containsKey("preset") || p.getString("preset").isEmpty()) return Optional.empty();
        String name = p.getString("preset");
        return Optional.of(GgufPreset.parse(name).orElseThrow(() -> new ConfigException("gguf", 0, 0, "preset: unknown "
                + "llama-quantize recipe '" + name + "' (" + GgufPreset.names() + ")")));
    }

    static GgmlType parse(String name, String key) {
        return GgmlType.parse(name).orElseThrow(() -> new ConfigException("gguf", 0, 0, key + ": unknown type '" + name
                + "' (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)"));
    }

    static List<Entry> build(ModelDir model, GgufArch arch, AllocationPlan plan, Parameters p) {
        return build(model, arch, plan, p, GgufImportance.NONE);
    }

    /** As above, each quantized matrix with the column weights {@code importance} gives it (null: reference path). */
    static List<Entry> build(ModelDir model, GgufArch arch, AllocationPlan plan, Parameters p, GgufImportance importance) {
        List<Entry> out = new ArrayList<>();
        Optional<GgufPreset> preset = preset(p);
        float[] rope = RopeFreqs.llama3(model.config());
        if (arch == GgufArch.LLAMA && rope != null) {
            out.add(new Entry(null, "rope_freqs.weight", new long[] {rope.length}, GgmlType.F32, 0, "", rope));
        }
        for (TensorInfo t : model.tensors()) {
            if (GgufArch.dropped(t.name(), model.config())) continue;
            Optional<String> name = arch.map(t.name());
            if (name.isEmpty()) {
                throw new OutputException(null, model.path() + ": tensor " + t.name() + " has no place in llama.cpp's '"
                        + arch.name + "' model (only the standard Llama/Qwen weights are supported)");
            }
            String n = checkName(name.get());
            if (ExpertWeight.parse(t.name()).filter(x -> !x.isStack()).isPresent()) continue; // with its stack, below
            long[] shape = t.shape();
            long[] ne = new long[shape.length];
            for (int i = 0; i < shape.length; i++) ne[i] = shape[shape.length - 1 - i];
            if (n.endsWith("ffn_gate_inp_shexp.weight")) ne = new long[] {t.numel()}; // [1, hidden] stored as a vector
            List<TensorDecision> d = plan.decision(t.name()).map(List::of).orElse(List.of());
            out.add(entry(List.of(t), n, ne, d, arch.permuteHeads(t.name(), model.config()), preset, model.config(),
                    importance, p));
        }
        for (List<TensorInfo> parts : ExpertWeight.slicesByStack(model.tensors(), TensorInfo::name).values()) {
            long[] shape = parts.get(0).shape();
            long[] ne = {shape[1], shape[0], parts.size()};
            List<TensorDecision> d = new ArrayList<>();
            for (TensorInfo t : parts) plan.decision(t.name()).ifPresent(d::add);
            String n = checkName(arch.map(parts.get(0).name()).orElseThrow());
            out.add(entry(parts, n, ne, d, 0, preset, model.config(), importance, p));
        }
        out.sort(Comparator.comparing(e -> sortKey(e.name())));
        return out;
    }

    /**
     * The entry of a tensor made of {@code parts} (one, or every expert of a stack): F32 for vectors, norms
     * and routers; else the decision's named type, the preset's, or the bits mapping, then the shape
     * fallback. A stack takes the largest of its experts' decisions (the allocators give them one).
     */
    private static Entry entry(List<TensorInfo> parts, String n, long[] ne, List<TensorDecision> decisions, int permute,
                               Optional<GgufPreset> preset, ModelConfig config, GgufImportance importance, Parameters p) {
        TensorInfo t = parts.get(0);
        TensorDecision d = null;
        for (TensorDecision x : decisions) if (d == null || x.bits() > d.bits()) d = x;
        GgmlType type;
        String note = "";
        if (GgufArch.keptF32(n, ne.length)) {
            type = GgmlType.F32;
        } else {
            GgmlType wanted = wantedType(n, ne[0], t.dtype(), d, preset, config, importance.isImatrix(), p);
            type = fitted(wanted, ne[0]);
            if (type != wanted) {
                note = "row length " + ne[0] + " is not a multiple of " + wanted + "'s block of " + wanted.blockSize()
                        + ": " + type;
            }
        }
        float[] columns = type.isFloat() || ne.length <= 1 ? null
                : importance.columns(n, (int) ne[0], type, ne.length == 3 ? (int) ne[2] : 0);
        return new Entry(t, n, ne, type, permute, note, null, columns, parts.size() > 1 ? List.copyOf(parts) : null);
    }

    /**
     * The type a matrix asks for before the shape fallback (the writer's and the sizer's one rule): the
     * decision's named type (an encoding of another format leaves the bits mapping in charge), else the
     * preset's recipe for a quantized decision (a user's override wins over it, as llama-quantize's
     * --tensor-type over its preset), else the bits mapping.
     */
    static GgmlType wantedType(String gguf, long cols, DType dtype, TensorDecision d, Optional<GgufPreset> preset,
                               ModelConfig c, boolean imatrix, Parameters p) {
        int bits = d == null ? 16 : d.bits();
        if (d != null && GgmlType.parse(d.encoding()).isPresent()) return GgmlType.parse(d.encoding()).get();
        if (preset.isPresent() && bits < 16 && !d.isOverride()) {
            int heads = c.numHeads().orElse(1);
            int gqa = heads / Math.max(1, c.numKvHeads().orElse(heads));
            return preset.get().typeFor(gguf, cols, c.numLayers().orElse(0), gqa, c.tieWordEmbeddings(), imatrix, c.numExperts());
        }
        return typeFor(bits, dtype, p);
    }

    /** llama-quantize's fallback chain until the type's blocks divide the row (Q4_K → Q5_0 → … → F16). */
    static GgmlType fitted(GgmlType type, long cols) {
        while (cols % type.blockSize() != 0) type = type.fallback();
        return type;
    }

    /** Refuses names ggml cannot store (GGML_MAX_NAME is 64 bytes with the NUL). */
    static String checkName(String n) {
        if (n.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw new OutputException(null, "GGUF tensor name '" + n + "' is over 63 bytes (ggml's GGML_MAX_NAME)");
        }
        return n;
    }

    /** rope_freqs, token_embd, blk.N in numeric order, output_norm, output (llama-quantize's order). */
    private static String sortKey(String name) {
        if (name.startsWith("rope_freqs")) return "0";
        if (name.startsWith("token_embd")) return "1";
        if (name.startsWith("blk.")) {
            int dot = name.indexOf('.', 4);
            return String.format("2%08d%s", Integer.parseInt(name.substring(4, dot)), name.substring(dot));
        }
        return "3" + name;
    }
}
