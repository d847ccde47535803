package dev.swan.eval;

import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Hugging Face model folder (F32, F16 or BF16 safetensors, one file or shards) as a {@link StoredModel}. */
public final class HfStoredModel implements StoredModel {
    private final ModelDir dir;
    private final Map<String, StoredTensor> tensors;
    private final boolean owned;

    private HfStoredModel(ModelDir dir, Map<String, StoredTensor> tensors, boolean owned) {
        this.dir = dir;
        this.tensors = tensors;
        this.owned = owned;
    }

    public static HfStoredModel open(Path path) {
        return of(ModelFolder.open(path), true);
    }

    /**
     * The weights of a model the caller opened (and closes): read through it, e.g. from the remote file
     * system a distributed run reads the model from.
     */
    public static HfStoredModel over(ModelDir dir) {
        return of(dir, false);
    }

    private static HfStoredModel of(ModelDir dir, boolean owned) {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (TensorInfo t : dir.tensors()) {
            if (!t.dtype().isFloat()) {
                if (owned) dir.close();
                throw new ModelFormatException(t.file(), t.name(), "dtype " + t.dtype() + ": swan eval reads float "
                        + "weights (F32, F16, BF16) of Hugging Face folders");
            }
            tensors.put(t.name(), new Tensor(t, dir.data(t)));
        }
        return new HfStoredModel(dir, Collections.unmodifiableMap(tensors), owned);
    }

    @Override
    public Path path() {
        return dir.path();
    }

    @Override
    public ModelConfig config() {
        return dir.config();
    }

    @Override
    public Map<String, StoredTensor> tensors() {
        return tensors;
    }

    @Override
    public long fileBytes() {
        long n = 0;
        try {
            for (Path shard : dir.shardFiles()) n += Files.size(shard);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    @Override
    public void close() {
        if (owned) dir.close();
    }

    private record Tensor(TensorInfo info, TensorData data) implements StoredTensor {
        @Override
        public String name() {
            return info.name();
        }

        @Override
        public long[] shape() {
            return info.shape();
        }

        @Override
        public String encoding() {
            return info.dtype().name();
        }

        @Override
        public long storedBytes() {
            return info.byteSize();
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            long cols = info.cols();
            data.readFloats(first * cols, dst, 0, Math.toIntExact(count * cols));
        }
    }
}
