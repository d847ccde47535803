package dev.swan.format.mlx;

import dev.swan.api.AllocationPlan;
import dev.swan.api.TensorDecision;
import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelDir;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the output holds and where: one {@link Item} per stored source tensor (quantized triplet or float
 * copy), packed greedily into shards of at most {@code maxShardBytes} of data. Inside a shard the
 * quantized triplets come first (weight U32, scales, biases: 4·rows·groups bytes, so U32 data stays
 * 4-byte aligned), then float tensors by decreasing item size.
 */
final class MlxLayout {

    /**
     * One stored tensor. {@code bits} 16 = float copy in {@code dtype}. An expert stack mlx-lm's
     * SwitchLinear holds ({@code switch_mlp.gate_proj}) has its module path in {@code stackPath} and, when
     * the checkpoint stores experts one by one, their slices in {@code parts} (expert order; {@code source}
     * is the first).
     */
    record Item(TensorInfo source, int bits, int group, DType dtype, String note, List<TensorInfo> parts, String stackPath,
                MlxMode mode) {
        Item(TensorInfo source, int bits, int group, DType dtype, String note) {
            this(source, bits, group, dtype, note, null, null, MlxMode.AFFINE);
        }

        Item(TensorInfo source, int bits, int group, DType dtype, String note, List<TensorInfo> parts, String stackPath) {
            this(source, bits, group, dtype, note, parts, stackPath, MlxMode.AFFINE);
        }

        /** How it is stored, as the write report and the model card name it: affine4/g64, mxfp4, BF16. */
        String type() {
            if (!quantized()) return dtype.name();
            return mode.affine() ? "affine" + bits + "/g" + group : mode.id();
        }

        boolean quantized() {
            return bits < 16;
        }

        String path() {
            return stackPath != null ? stackPath : MlxModules.modulePath(source.name());
        }

        /** The stored name of a float copy. */
        String floatName() {
            return stackPath != null ? stackPath + ".weight" : source.name();
        }

        /** The source tensors, in the order their rows are stored. */
        List<TensorInfo> sources() {
            return parts != null ? parts : List.of(source);
        }

        long[] shape() {
            if (parts == null) return source.shape();
            long[] s = source.shape();
            long[] out = new long[s.length + 1];
            out[0] = parts.size();
            System.arraycopy(s, 0, out, 1, s.length);
            return out;
        }

        long numel() {
            long n = 1;
            for (long d : shape()) n *= d;
            return n;
        }

        long cols() {
            return source.cols();
        }

        long[] leading() {
            long[] s = shape();
            return Arrays.copyOf(s, s.length - 1);
        }

        List<SafetensorsWriter.Entry> entries() {
            if (!quantized()) return List.of(new SafetensorsWriter.Entry(floatName(), dtype, shape()));
            long[] w = append(leading(), cols() * bits / 32);
            long[] s = append(leading(), cols() / group);
            if (!mode.affine()) {
                // microscaling modes: one uint8 scale per group, no biases
                return List.of(new SafetensorsWriter.Entry(path() + ".weight", DType.U32, w),
                        new SafetensorsWriter.Entry(path() + ".scales", DType.U8, s));
            }
            return List.of(new SafetensorsWriter.Entry(path() + ".weight", DType.U32, w),
                    new SafetensorsWriter.Entry(path() + ".scales", dtype, s),
                    new SafetensorsWriter.Entry(path() + ".biases", dtype, s));
        }

        long bytes() {
            long b = 0;
            for (SafetensorsWriter.Entry e : entries()) b += e.byteSize();
            return b;
        }

        private static long[] append(long[] a, long v) {
            long[] r = Arrays.copyOf(a, a.length + 1);
            r[a.length] = v;
            return r;
        }
    }

    record Shard(String file, List<Item> items) {
        List<SafetensorsWriter.Entry> entries() {
            List<SafetensorsWriter.Entry> out = new ArrayList<>();
            for (Item i : ordered()) out.addAll(i.entries());
            return out;
        }

        List<Item> ordered() {
            List<Item> q = new ArrayList<>();
            List<Item> f = new ArrayList<>();
            for (Item i : items) (i.quantized() ? q : f).add(i);
            f.sort((a, b) -> Integer.compare(b.dtype().size(), a.dtype().size()));
            q.addAll(f);
            return q;
        }
    }

    private MlxLayout() {
    }

    /**
     * Decides every stored tensor's form; {@code floatDtype} is the dtype of float tensors and of scales.
     * Experts' slices of one projection become one SwitchLinear stack with the largest bits any of them
     * got (the allocators give a stack one decision).
     */
    static List<Item> items(ModelDir model, AllocationPlan plan, DType floatDtype, boolean keepSourceDtype) {
        return items(model, plan, floatDtype, keepSourceDtype, MlxMode.AFFINE);
    }

    /**
     * As above; quantized decisions are stored in {@code mode} unless their encoding names another
     * ({@code mlx:mxfp4}), and the floating-point modes take their own bits and group size.
     */
    static List<Item> items(ModelDir model, AllocationPlan plan, DType floatDtype, boolean keepSourceDtype, MlxMode mode) {
        List<Item> out = new ArrayList<>();
        Map<String, List<TensorInfo>> stacks = ExpertWeight.slicesByStack(model.tensors(), TensorInfo::name);
        for (TensorInfo t : model.tensors()) {
            if (MlxModules.dropped(t.name(), model.config())) continue;
            Optional<ExpertWeight> x = ExpertWeight.parse(t.name());
            if (x.isPresent() && !x.get().isStack()) {
                // a stack sits where its first expert did
                List<TensorInfo> parts = stacks.get(x.get().stackName());
                if (parts.get(0) != t) continue;
                List<TensorDecision> d = new ArrayList<>();
                for (TensorInfo p : parts) plan.decision(p.name()).ifPresent(d::add);
                out.add(item(t, parts, MlxModules.switchPath(x.get()), d, floatDtype, keepSourceDtype, mode));
                continue;
            }
            List<TensorDecision> d = plan.decision(t.name()).map(List::of).orElse(List.of());
            out.add(item(t, null, x.map(MlxModules::switchPath).orElse(null), d, floatDtype, keepSourceDtype, mode));
        }
        return out;
    }

    private static Item item(TensorInfo t, List<TensorInfo> parts, String stackPath, List<TensorDecision> decisions,
                             DType floatDtype, boolean keepSourceDtype, MlxMode defaultMode) {
        TensorDecision d = null;
        for (TensorDecision x : decisions) if (d == null || x.bits() > d.bits()) d = x;
        DType stored = keepSourceDtype || !t.dtype().isFloat() ? t.dtype() : floatDtype;
        List<TensorInfo> p = parts == null ? null : List.copyOf(parts);
        if (d == null || !d.quantized()) return new Item(t, 16, 0, stored, d == null ? "not in plan" : "", p, stackPath);
        MlxMode mode = d.encoding().startsWith("mlx:") ? MlxMode.parse(d.encoding().substring(4)).orElse(MlxMode.AFFINE)
                : defaultMode;
        String why = null;
        if (stackPath == null && !MlxModules.quantizable(t.name(), t.rank())) why = "not a Linear/Embedding weight in mlx-lm";
        else if (!t.dtype().isFloat()) why = "not a float tensor";
        else if (!mode.affine()) {
            if (t.cols() % mode.group != 0) why = "row length " + t.cols() + " not divisible by " + mode.id() + "'s group of " + mode.group;
            if (why != null) return new Item(t, 16, 0, stored, "kept in float: " + why, p, stackPath);
            return new Item(t, mode.bits, mode.group, floatDtype, "", p, stackPath, mode);
        }
        else if (!MlxModules.BITS.contains(d.bits())) why = "MLX affine has no " + d.bits() + "-bit mode";
        else if (!MlxModules.GROUPS.contains(d.groupSize())) why = "MLX affine has no group size " + d.groupSize();
        else if (t.cols() % d.groupSize() != 0) why = "row length " + t.cols() + " not divisible by " + d.groupSize();
        if (why != null) return new Item(t, 16, 0, stored, "kept in float: " + why, p, stackPath);
        return new Item(t, d.bits(), d.groupSize(), floatDtype, "", p, stackPath);
    }

    static List<Shard> shards(List<Item> items, long maxShardBytes) {
        List<List<Item>> groups = new ArrayList<>();
        List<Item> cur = new ArrayList<>();
        long size = 0;
        for (Item i : items) {
            long b = i.bytes();
            if (!cur.isEmpty() && size + b > maxShardBytes) {
                groups.add(cur);
                cur = new ArrayList<>();
                size = 0;
            }
            cur.add(i);
            size += b;
        }
        groups.add(cur);
        List<Shard> out = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            String name = groups.size() == 1 ? "model.safetensors"
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size());
            out.add(new Shard(name, groups.get(i)));
        }
        return out;
    }
}
