package dev.swan.format.gguf;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredTensor;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.toolkit.json.JsonWriter;
import dev.swan.toolkit.model.TensorClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A GGUF file (a llama.cpp user's F16 or BF16 conversion, or one of ours) opened as a model to quantize.
 * Tensors keep their Hugging Face names, shapes and row order (llama's q/k rows are read back in the
 * checkpoint's order, and written again in llama.cpp's by the GGUF writer, so a GGUF round trip moves no
 * row). The config and the tokenizer files an MLX output carries are written into a temporary folder of
 * their own, removed on close; a GGUF output copies the source's tokenizer keys as they are.
 */
final class GgufSource implements ModelDir {
    /** The file in the side folder that names the GGUF it stands for, so a sizer can reopen it. */
    static final String MARKER = "gguf-source.txt";

    private final GgufStoredModel stored;
    private final Path side;
    private final ModelConfig config;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorData> data;
    private final String name;

    private GgufSource(GgufStoredModel stored, Path side, ModelConfig config, List<TensorInfo> tensors,
                       Map<String, TensorData> data, String name) {
        this.stored = stored;
        this.side = side;
        this.config = config;
        this.tensors = tensors;
        this.data = data;
        this.name = name;
    }

    static GgufSource open(Path file, boolean allowRequantize) throws IOException {
        GgufStoredModel m = GgufStoredModel.open(file);
        Path side = null;
        try {
            if (m.config().architecture().isEmpty()) {
                throw new ModelFormatException(file, "general.architecture", "'" + m.metadata().get("general.architecture")
                        + "' is not an architecture swan quantizes (llama, qwen2, qwen3, qwen2moe, qwen3moe)");
            }
            List<TensorInfo> infos = new ArrayList<>();
            Map<String, TensorData> data = new LinkedHashMap<>();
            Map<DType, Long> floats = new LinkedHashMap<>();
            for (StoredTensor t : m.tensors().values()) {
                GgmlType type = ((GgufStoredModel.Tensor) t).info().type();
                if (t.shape().length >= 2 && type.isFloat()) floats.merge(DType.valueOf(type.name()), t.rows() * t.cols(), Long::sum);
            }
            DType working = floats.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(DType.F16);
            for (StoredTensor t : m.tensors().values()) {
                GgufStoredModel.Tensor g = (GgufStoredModel.Tensor) t;
                GgmlType type = g.info().type();
                DType dtype = switch (type) {
                    case F32 -> DType.F32;
                    case F16 -> DType.F16;
                    case BF16 -> DType.BF16;
                    default -> {
                        if (!allowRequantize) {
                            throw new ModelFormatException(file, g.info().name(), "is " + type + ": quantizing quantized "
                                    + "weights again loses more than quantizing the float ones; start from an F16, BF16 or "
                                    + "F32 GGUF, or pass --allow-requantize (as llama-quantize)");
                        }
                        yield DType.F32;
                    }
                };
                // llama.cpp's converters widen norms and biases to F32; where the values are exactly the model's
                // working type (a BF16 model's norms), they are offered in it, as the checkpoint holds them
                if (dtype == DType.F32 && type == GgmlType.F32 && working != DType.F32 && t.shape().length == 1
                        && exactIn(working, t)) {
                    dtype = working;
                }
                long numel = t.rows() * t.cols();
                TensorInfo info = new TensorInfo(t.name(), dtype, t.shape(), g.reader().file(),
                        g.reader().dataStart() + g.info().offset(), numel * dtype.size());
                infos.add(info);
                data.put(t.name(), new GgufTensorData(info, g));
            }
            Map<String, Object> cfg = new LinkedHashMap<>(m.config().raw());
            cfg.putIfAbsent("hidden_act", "silu");
            if (cfg.get("rope_dimension_count") instanceof Number n && m.config().headDim().orElse(-1) == n.intValue()) {
                cfg.remove("rope_dimension_count"); // the whole head rotates: config.json says nothing
            }
            // the ids mlx_lm stops generating at, and llama's bias switch, as config.json states them
            for (String which : List.of("bos", "eos")) {
                if (m.metadata().get("tokenizer.ggml." + which + "_token_id") != null
                        && m.metadata().get("tokenizer.ggml." + which + "_token_id").value() instanceof Long id) {
                    cfg.put(which + "_token_id", id);
                }
            }
            if (m.config().modelType().equals("llama")) cfg.put("attention_bias", m.tensors().containsKey("model.layers.0.self_attn.q_proj.bias"));
            cfg.put("torch_dtype", switch (working) {
                case BF16 -> "bfloat16";
                case F32 -> "float32";
                default -> "float16";
            });
            side = Files.createTempDirectory("swan-gguf-source-");
            Path configFile = side.resolve(CONFIG);
            Files.writeString(configFile, JsonWriter.pretty(2, false).write(cfg));
            Files.writeString(side.resolve(MARKER), file.toAbsolutePath().toString());
            GgufTokenizerFiles.write(m.metadata(), file, side);
            String base = file.getFileName().toString().replaceAll("(?i)(-\\d{5}-of-\\d{5})?\\.gguf$", "");
            return new GgufSource(m, side, new ModelConfig(configFile, cfg), List.copyOf(infos), data, base);
        } catch (IOException | RuntimeException e) {
            m.close();
            if (side != null) deleteTree(side);
            throw e;
        }
    }

    /** Whether every value of a (small, 1-D) F32 tensor is exactly a value of {@code type}. */
    private static boolean exactIn(DType type, StoredTensor t) {
        float[] v = new float[(int) t.cols()];
        t.decodeRows(0, 1, v);
        for (float f : v) {
            if (dev.swan.toolkit.tensor.HalfFloats.roundTo(type, f) != f && !Float.isNaN(f)) return false;
        }
        return true;
    }

    /** The GGUF a side folder stands for, when {@code dir} is one. */
    static java.util.Optional<Path> sourceOf(Path dir) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) return java.util.Optional.empty();
        try {
            return java.util.Optional.of(Path.of(Files.readString(marker).trim()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The source's metadata as stored (the tokenizer keys a GGUF output copies). */
    Map<String, GgufValue> metadata() {
        return stored.metadata();
    }

    @Override
    public Path path() {
        return side;
    }

    @Override
    public String location() {
        return stored.path().toString();
    }

    @Override
    public String name() {
        return name;
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
        if (d == null) throw new ModelFormatException(stored.path(), info.name(), "no such tensor in this model");
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
        return stored.files();
    }

    @Override
    public Map<String, String> shardMetadata(Path shard) {
        return Map.of();
    }

    @Override
    public List<Path> tokenizerFiles() {
        List<Path> out = new ArrayList<>();
        for (String n : TOKENIZER_FILES) if (Files.isRegularFile(side.resolve(n))) out.add(side.resolve(n));
        return out;
    }

    @Override
    public List<Path> sideFiles() {
        return List.of();
    }

    @Override
    public void close() {
        try {
            stored.close();
        } finally {
            deleteTree(side);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
