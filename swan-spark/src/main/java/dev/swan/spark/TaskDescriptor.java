package dev.swan.spark;

import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.pipeline.AnalysisEngine;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Spark task: a tensor (or one layer's expert slices, measured as their stack) by where its bytes
 * are, so an executor can check it reads what the driver saw.
 */
record TaskDescriptor(String key, List<Tensor> members) implements Serializable {

    /** Shard, byte offset of the first element, shape and dtype of one tensor. */
    record Tensor(String name, String shard, long offset, long[] shape, String dtype) implements Serializable {
        static Tensor of(TensorInfo t) {
            return new Tensor(t.name(), t.file().getFileName().toString(), t.dataStart(), t.shape(), t.dtype().name());
        }

        boolean describes(TensorInfo t) {
            return t.file().getFileName().toString().equals(shard) && t.dataStart() == offset && Arrays.equals(t.shape(), shape)
                    && t.dtype().name().equals(dtype);
        }
    }

    static TaskDescriptor of(AnalysisEngine.Task task) {
        List<Tensor> members = new ArrayList<>();
        for (TensorInfo t : task.members()) members.add(Tensor.of(t));
        return new TaskDescriptor(task.key(), members);
    }

    /** The engine's task over {@code model} as this executor opened it; refused when the files differ. */
    AnalysisEngine.Task resolve(ModelDir model) {
        List<TensorInfo> infos = new ArrayList<>();
        for (Tensor d : members) {
            TensorInfo t = model.find(d.name()).orElseThrow(() -> new IllegalStateException(
                    "this executor sees no tensor " + d.name() + " in " + model.path() + ": is it the driver's model?"));
            if (!d.describes(t)) {
                throw new IllegalStateException("this executor sees " + d.name() + " in " + model.path()
                        + " at another place or shape than the driver did: every node must see the same files");
            }
            infos.add(t);
        }
        return new AnalysisEngine.Task(key, infos);
    }
}
