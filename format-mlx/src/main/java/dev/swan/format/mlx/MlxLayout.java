package dev.swan.format.mlx;

import dev.swan.api.AllocationPlan;
import dev.swan.api.TensorDecision;
import dev.swan.api.model.ModelDir;
import dev.swan.api.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the output holds and where: one {@link Item} per stored source tensor (quantized triplet or float
 * copy), packed greedily into shards of at most {@code maxShardBytes} of data. Inside a shard the
 * quantized triplets come first (weight U32, scales, biases: 4·rows·groups bytes, so U32 data stays
 * 4-byte aligned), then float tensors by decreasing item size.
 */
final class MlxLayout {

    /** One stored source tensor. {@code bits} 16 = float copy in {@code dtype}. */
    record Item(TensorInfo source, int bits, int group, DType dtype, String note) {
        boolean quantized() {
            return bits < 16;
        }

        String path() {
            return MlxModules.modulePath(source.name());
        }

        long cols() {
            return source.cols();
        }

        long[] leading() {
            long[] s = source.shape();
            return Arrays.copyOf(s, s.length - 1);
        }

        List<SafetensorsWriter.Entry> entries() {
            if (!quantized()) return List.of(new SafetensorsWriter.Entry(source.name(), dtype, source.shape()));
            long[] w = append(leading(), cols() * bits / 32);
            long[] s = append(leading(), cols() / group);
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

    /** Decides every stored tensor's form; {@code floatDtype} is the dtype of float tensors and of scales. */
    static List<Item> items(ModelDir model, AllocationPlan plan, DType floatDtype, boolean keepSourceDtype) {
        List<Item> out = new ArrayList<>();
        for (TensorInfo t : model.tensors()) {
            if (MlxModules.dropped(t.name(), model.config())) continue;
            TensorDecision d = plan.decision(t.name()).orElse(null);
            DType stored = keepSourceDtype || !t.dtype().isFloat() ? t.dtype() : floatDtype;
            if (d == null || !d.quantized()) {
                out.add(new Item(t, 16, 0, stored, d == null ? "not in plan" : ""));
                continue;
            }
            String why = null;
            if (!MlxModules.quantizable(t.name(), t.rank())) why = "not a Linear/Embedding weight in mlx-lm";
            else if (!t.dtype().isFloat()) why = "not a float tensor";
            else if (!MlxModules.BITS.contains(d.bits())) why = "MLX affine has no " + d.bits() + "-bit mode";
            else if (!MlxModules.GROUPS.contains(d.groupSize())) why = "MLX affine has no group size " + d.groupSize();
            else if (t.cols() % d.groupSize() != 0) why = "row length " + t.cols() + " not divisible by " + d.groupSize();
            if (why != null) {
                out.add(new Item(t, 16, 0, stored, "kept in float: " + why));
            } else {
                out.add(new Item(t, d.bits(), d.groupSize(), floatDtype, ""));
            }
        }
        return out;
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
