package dev.swan.launcher.pipeline;

import dev.swan.api.ModelFormatException;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model without some of its decoder layers, as llama-quantize's {@code --prune-layers 3,5} writes it: the
 * layers' tensors left out, the later layers renumbered to close the gap, and {@code num_hidden_layers} (and
 * any per-layer list in the config) shortened. Every format then writes the smaller model as it would any.
 */
public final class PrunedModel implements ModelDir {
    private static final Pattern LAYER = Pattern.compile("^(model\\.layers\\.)(\\d+)(\\..*)$");

    private final ModelDir inner;
    private final ModelConfig config;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> original;

    private PrunedModel(ModelDir inner, ModelConfig config, List<TensorInfo> tensors, Map<String, TensorInfo> original) {
        this.inner = inner;
        this.config = config;
        this.tensors = tensors;
        this.original = original;
    }

    /** {@code model} without the layers {@code prune} (0-based); the model itself when the set is empty. */
    public static ModelDir of(ModelDir model, SortedSet<Integer> prune) {
        if (prune.isEmpty()) return model;
        int layers = model.config().numLayers().orElseThrow(() -> new ModelFormatException(model.config().file(),
                "num_hidden_layers", "missing: cannot prune layers"));
        if (prune.last() >= layers) {
            throw new dev.swan.api.ConfigException("--prune-layers", 0, 0, "layer " + prune.last() + " does not exist: the model has "
                    + layers + " layers (0 to " + (layers - 1) + ")");
        }
        if (prune.size() >= layers) throw new dev.swan.api.ConfigException("--prune-layers", 0, 0, "would remove every layer");
        int[] renumber = new int[layers];
        int next = 0;
        for (int i = 0; i < layers; i++) renumber[i] = prune.contains(i) ? -1 : next++;
        List<TensorInfo> kept = new ArrayList<>();
        Map<String, TensorInfo> original = new LinkedHashMap<>();
        for (TensorInfo t : model.tensors()) {
            Matcher m = LAYER.matcher(t.name());
            String name = t.name();
            if (m.matches()) {
                int to = renumber[Integer.parseInt(m.group(2))];
                if (to < 0) continue;
                name = m.group(1) + to + m.group(3);
            }
            TensorInfo renamed = new TensorInfo(name, t.dtype(), t.shape(), t.file(), t.dataStart(), t.byteSize());
            kept.add(renamed);
            original.put(name, t);
        }
        Map<String, Object> raw = new LinkedHashMap<>(model.config().raw());
        raw.put("num_hidden_layers", (long) next);
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            // per-layer lists (layer_types, ...) lose the same entries
            if (e.getValue() instanceof List<?> l && l.size() == layers) {
                List<Object> shorter = new ArrayList<>();
                for (int i = 0; i < layers; i++) if (renumber[i] >= 0) shorter.add(l.get(i));
                e.setValue(shorter);
            }
        }
        return new PrunedModel(model, new ModelConfig(model.config().file(), raw), List.copyOf(kept), original);
    }

    private TensorInfo originalOf(TensorInfo info) {
        TensorInfo o = original.get(info.name());
        if (o == null) throw new ModelFormatException(inner.path(), info.name(), "no such tensor in this model");
        return o;
    }

    /** The inner data under the renamed info, so writers name what they write by the new name. */
    private static TensorData renamed(TensorData d, TensorInfo info) {
        return new TensorData() {
            @Override
            public TensorInfo info() {
                return info;
            }

            @Override
            public void readFloats(long first, float[] dst, int dstOffset, int count) {
                d.readFloats(first, dst, dstOffset, count);
            }

            @Override
            public void readBytes(long byteOffset, byte[] dst, int dstOffset, int length) {
                d.readBytes(byteOffset, dst, dstOffset, length);
            }
        };
    }

    @Override
    public Path path() {
        return inner.path();
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, Object> generationConfig() {
        return inner.generationConfig();
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public TensorData data(TensorInfo info) {
        return renamed(inner.data(originalOf(info)), info);
    }

    @Override
    public TensorData stream(TensorInfo info) {
        return renamed(inner.stream(originalOf(info)), info);
    }

    @Override
    public TensorClass classOf(TensorInfo info) {
        return inner.classOf(info);
    }

    @Override
    public List<Path> shardFiles() {
        return inner.shardFiles();
    }

    @Override
    public Map<String, String> shardMetadata(Path shard) {
        return inner.shardMetadata(shard);
    }

    @Override
    public List<Path> tokenizerFiles() {
        return inner.tokenizerFiles();
    }

    @Override
    public List<Path> sideFiles() {
        return inner.sideFiles();
    }

    @Override
    public void close() {
        inner.close();
    }
}
