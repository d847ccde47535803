package dev.swan.eval;

import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;

/** A model seen with other tensors (some left out or replaced); closing it leaves the model open. */
record TensorsView(StoredModel model, Map<String, StoredTensor> tensors) implements StoredModel {
    @Override
    public Path path() {
        return model.path();
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public long fileBytes() {
        return model.fileBytes();
    }

    @Override
    public void close() {
    }
}
