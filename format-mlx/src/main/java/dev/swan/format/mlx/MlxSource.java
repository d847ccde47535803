package dev.swan.format.mlx;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.toolkit.model.TensorClassifier;
import dev.swan.toolkit.tensor.HalfFloats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A quantized MLX folder (an mlx_lm.convert output, or ours) as a model to convert: what {@code mlx_lm.convert
 * -d} dequantizes. Weights come under their Hugging Face names, quantized ones dequantized as MLX's
 * {@code dequantize} op computes them (in the scales' type, the model's float type: the product and the sum each
 * rounded to it); {@code config.json} without its quantization entries; tokenizer and generation files as they are.
 */
final class MlxSource implements ModelDir {
    private final Path dir;
    private final StoredModel stored;
    private final ModelConfig config;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorData> data;

    private MlxSource(Path dir, StoredModel stored, ModelConfig config, List<TensorInfo> tensors, Map<String, TensorData> data) {
        this.dir = dir;
        this.stored = stored;
        this.config = config;
        this.tensors = tensors;
        this.data = data;
    }

    /** Empty for a folder that is not quantized MLX (a Hugging Face folder is read as such). */
    static Optional<ModelDir> open(Path dir, boolean dequantize) throws IOException {
        Optional<StoredModel> opened = MlxStoredModel.open(dir);
        if (opened.isEmpty()) return Optional.empty();
        StoredModel m = opened.get();
        try {
            Map<DType, Long> floats = new EnumMap<>(DType.class);
            for (StoredTensor t : m.tensors().values()) {
                DType.fromSafetensors(t.encoding()).ifPresent(d -> floats.merge(d, t.rows() * t.cols(), Long::sum));
            }
            DType working = floats.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElse(DType.BF16);
            List<TensorInfo> infos = new ArrayList<>();
            Map<String, TensorData> data = new LinkedHashMap<>();
            for (StoredTensor t : m.tensors().values()) {
                Optional<DType> plain = DType.fromSafetensors(t.encoding()).filter(DType::isFloat);
                if (plain.isEmpty() && !dequantize) {
                    throw new ModelFormatException(dir, t.name(), "is " + t.encoding() + ": this MLX model is quantized "
                            + "already; give -d (--dequantize, as mlx_lm.convert) for float weights, or --allow-requantize "
                            + "to quantize its dequantized weights again");
                }
                DType dtype = plain.orElse(working);
                long numel = t.rows() * t.cols();
                TensorInfo info = new TensorInfo(t.name(), dtype, t.shape(), dir.resolve("model.safetensors"), 0,
                        numel * dtype.size());
                infos.add(info);
                data.put(t.name(), new Decoded(info, t));
            }
            Map<String, Object> raw = new LinkedHashMap<>(m.config().raw());
            raw.remove("quantization");
            raw.remove("quantization_config");
            return Optional.of(new MlxSource(dir, m, new ModelConfig(m.config().file(), raw), List.copyOf(infos), data));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A stored tensor decoded row by row, its bytes those of the offered dtype (exact for float tensors). */
    private record Decoded(TensorInfo info, StoredTensor stored) implements TensorData {
        private void row(long r, float[] dst) {
            if (stored instanceof MlxStoredModel.Affine a) a.dequantizeRows(r, 1, dst, info.dtype());
            else stored.decodeRows(r, 1, dst);
        }

        @Override
        public void readFloats(long first, float[] dst, int dstOffset, int count) {
            int cols = (int) info.cols();
            float[] row = new float[cols];
            long r = first / cols;
            int skip = (int) (first % cols);
            int done = 0;
            while (done < count) {
                row(r++, row);
                int n = Math.min(cols - skip, count - done);
                for (int i = 0; i < n; i++) dst[dstOffset + done + i] = HalfFloats.roundTo(info.dtype(), row[skip + i]);
                done += n;
                skip = 0;
            }
        }

        @Override
        public void readBytes(long byteOffset, byte[] dst, int dstOffset, int length) {
            int cols = (int) info.cols();
            int rowBytes = cols * info.dtype().size();
            float[] row = new float[cols];
            byte[] buf = new byte[rowBytes];
            long r = byteOffset / rowBytes;
            int skip = (int) (byteOffset % rowBytes);
            int done = 0;
            while (done < length) {
                row(r++, row);
                MlxWriter.encode(row, info.dtype()).get(buf);
                int n = Math.min(rowBytes - skip, length - done);
                System.arraycopy(buf, skip, dst, dstOffset + done, n);
                done += n;
                skip = 0;
            }
        }
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public String name() {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? "model" : n.toString();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, Object> generationConfig() {
        return Map.of();
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public TensorData data(TensorInfo info) {
        TensorData d = data.get(info.name());
        if (d == null) throw new ModelFormatException(dir, info.name(), "no such tensor in this model");
        return d;
    }

    @Override
    public TensorData stream(TensorInfo info) {
        return data(info);
    }

    @Override
    public TensorClass classOf(TensorInfo info) {
        return TensorClassifier.classify(info.name(), info.rank());
    }

    @Override
    public List<Path> shardFiles() {
        List<Path> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir, "model*.safetensors")) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    @Override
    public Map<String, String> shardMetadata(Path shard) {
        return Map.of();
    }

    @Override
    public List<Path> tokenizerFiles() {
        List<Path> out = new ArrayList<>();
        for (String n : TOKENIZER_FILES) if (Files.isRegularFile(dir.resolve(n))) out.add(dir.resolve(n));
        return out;
    }

    @Override
    public List<Path> sideFiles() {
        Path gen = dir.resolve("generation_config.json");
        return Files.isRegularFile(gen) ? List.of(gen) : List.of();
    }

    @Override
    public void close() {
        stored.close();
    }
}
