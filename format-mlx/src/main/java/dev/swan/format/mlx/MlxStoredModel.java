package dev.swan.format.mlx;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import dev.swan.api.model.ModelConfig;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An MLX affine directory (ours or any {@code mlx_lm.convert} output) read as stored: packed uint32 codes
 * with their scales and biases, bits and group size per module from {@code config.json}'s
 * {@code quantization} (a module's own entry, else the global one), float tensors as they are.
 */
final class MlxStoredModel implements StoredModel {
    private final Path dir;
    private final ModelConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, StoredTensor> tensors;

    private MlxStoredModel(Path dir, ModelConfig config, List<SafetensorsFile> files, Map<String, StoredTensor> tensors) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.tensors = tensors;
    }

    /** Empty for a directory without a {@code quantization} entry: nothing in it is MLX-specific. */
    static Optional<StoredModel> open(Path dir) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        Map<String, Object> cfg;
        try {
            cfg = Json.parseObject(dev.swan.toolkit.io.InputFiles.readText(cfgFile, dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES));
        } catch (JsonParseException e) {
            throw new ModelFormatException(cfgFile, null, "malformed JSON: " + e.getMessage());
        }
        if (!(cfg.get("quantization") instanceof Map<?, ?> q)) return Optional.empty();
        ModelConfig config = new ModelConfig(cfgFile, cfg);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            List<Path> paths = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "model*.safetensors")) {
                ds.forEach(paths::add);
            }
            paths.sort(null);
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (TensorInfo t : f.tensors().values()) {
                    if (infos.put(t.name(), t) != null) throw new ModelFormatException(p, t.name(), "stored in two files");
                    owner.put(t.name(), f);
                }
            }
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            for (TensorInfo t : infos.values()) {
                String name = t.name();
                if (name.endsWith(".scales") || name.endsWith(".biases")) continue;
                String path = MlxModules.modulePath(name);
                TensorInfo scales = infos.get(path + ".scales");
                if (scales == null || !name.endsWith(".weight")) {
                    if (!t.dtype().isFloat()) {
                        throw new ModelFormatException(t.file(), name, "dtype " + t.dtype() + " without scales: not an MLX weight");
                    }
                    TensorData d = owner.get(name).data(t);
                    String hf = MlxModules.hfStackName(name).orElse(name);
                    tensors.put(hf, new Plain(hf, t, d));
                    continue;
                }
                MlxMode mode = modeOf(cfgFile, q, path);
                if (!mode.affine()) {
                    long[] ws = t.shape();
                    long cols = ws[ws.length - 1] * 32 / mode.bits;
                    long[] shape = ws.clone();
                    shape[ws.length - 1] = cols;
                    if (scales.dtype() != dev.swan.api.tensor.DType.U8 || cols % mode.group != 0
                            || scales.numel() != t.rows() * (cols / mode.group)) {
                        throw new ModelFormatException(t.file(), name, "scales do not fit " + mode.id() + " codes (uint8, one per "
                                + mode.group + " values)");
                    }
                    String hf = MlxModules.hfStackName(name).orElse(name);
                    tensors.put(hf, new Microscaled(hf, shape, mode, owner.get(name).data(t), owner.get(path + ".scales").data(scales),
                            t.byteSize() + scales.byteSize()));
                    continue;
                }
                TensorInfo biases = infos.get(path + ".biases");
                if (biases == null) throw new ModelFormatException(t.file(), path + ".biases", "missing (affine mode needs biases)");
                int[] bg = bitsAndGroup(cfgFile, q, path);
                long[] ws = t.shape();
                long cols = ws[ws.length - 1] * 32 / bg[0];
                long[] shape = ws.clone();
                shape[ws.length - 1] = cols;
                if (cols % bg[1] != 0 || scales.numel() != t.rows() * (cols / bg[1]) || biases.numel() != scales.numel()) {
                    throw new ModelFormatException(t.file(), name, "scales/biases do not fit " + bg[0] + "-bit codes in groups of "
                            + bg[1]);
                }
                // a SwitchLinear stack goes by the checkpoint's stack name, as every StoredModel names weights
                String hf = MlxModules.hfStackName(name).orElse(name);
                tensors.put(hf, new Affine(hf, shape, bg[0], bg[1], owner.get(name).data(t),
                        owner.get(path + ".scales").data(scales), owner.get(path + ".biases").data(biases),
                        t.byteSize() + scales.byteSize() + biases.byteSize()));
            }
            return Optional.of(new MlxStoredModel(dir, config, List.copyOf(files), Collections.unmodifiableMap(tensors)));
        } catch (RuntimeException | IOException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The module's mode: its own entry's (affine when it names none), else the global one; one MLX lacks is refused. */
    private static MlxMode modeOf(Path cfgFile, Map<?, ?> q, String path) {
        // mlx_lm hands a module's own entry to to_quantized as it is: without a mode, that is affine
        Object given = q.get(path) instanceof Map<?, ?> m ? m.get("mode") : q.get("mode");
        if (given == null) return MlxMode.AFFINE;
        String mode = String.valueOf(given);
        return MlxMode.parse(mode).orElseThrow(() -> new ModelFormatException(cfgFile, "quantization." + path,
                "mode " + mode + " is not one MLX defines (affine, mxfp4, nvfp4, mxfp8)"));
    }

    /** A weight in a microscaling mode: packed E2M1/E4M3 codes and one uint8 scale per group. */
    private record Microscaled(String name, long[] shape, MlxMode mode, TensorData codes, TensorData scales, long storedBytes)
            implements StoredTensor {
        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public String encoding() {
            return mode.id();
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            int cols = (int) cols();
            int rowBytes = (int) mode.codeBytes(cols);
            int groups = cols / mode.group;
            byte[] packed = new byte[rowBytes * count];
            byte[] sc = new byte[groups * count];
            codes.readBytes(first * rowBytes, packed, 0, packed.length);
            scales.readBytes(first * groups, sc, 0, sc.length);
            for (int r = 0; r < count; r++) mode.dequantizeRow(packed, r * rowBytes, sc, r * groups, cols, dst, r * cols);
        }
    }

    private static int[] bitsAndGroup(Path cfgFile, Map<?, ?> q, String path) {
        Object bits = q.get("bits");
        Object group = q.get("group_size");
        if (q.get(path) instanceof Map<?, ?> m) {
            bits = m.get("bits");
            group = m.get("group_size");
        }
        if (!(bits instanceof Long b) || !(group instanceof Long g) || !MlxModules.BITS.contains(b.intValue())
                || !MlxModules.GROUPS.contains(g.intValue())) {
            throw new ModelFormatException(cfgFile, "quantization." + path, "no affine bits (2-8) and group size "
                    + "(32/64/128) for this quantized module");
        }
        return new int[] {b.intValue(), g.intValue()};
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, StoredTensor> tensors() {
        return tensors;
    }

    @Override
    public long fileBytes() {
        long n = 0;
        for (SafetensorsFile f : files) {
            try {
                n += Files.size(f.file());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return n;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    /** A float tensor (norms, and whatever the plan kept in float). */
    private record Plain(String name, TensorInfo info, TensorData data) implements StoredTensor {
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

    /** An affine-quantized module: ŵ = scale · q + bias per group, in float32 from the stored scale and bias. */
    record Affine(String name, long[] shape, int bits, int group, TensorData codes, TensorData scales,
                          TensorData biases, long storedBytes) implements StoredTensor {
        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public String encoding() {
            return "affine" + bits + "/g" + group;
        }

        /**
         * Rows as MLX's {@code dequantize} op returns them in {@code out} (the scales' type): {@code q × scale} rounded
         * to it, then {@code + bias} rounded again, as its element-wise multiply and add of a 16-bit type do.
         */
        void dequantizeRows(long first, int count, float[] dst, dev.swan.api.tensor.DType out) {
            int cols = (int) cols();
            int rowBytes = cols * bits / 8;
            int groups = cols / group;
            byte[] packed = new byte[rowBytes * count];
            float[] sc = new float[groups * count];
            float[] bi = new float[groups * count];
            codes.readBytes(first * rowBytes, packed, 0, packed.length);
            scales.readFloats(first * groups, sc, 0, sc.length);
            biases.readFloats(first * groups, bi, 0, bi.length);
            for (int r = 0; r < count; r++) {
                for (int i = 0; i < cols; i++) {
                    int g = r * groups + i / group;
                    float product = dev.swan.toolkit.tensor.HalfFloats.roundTo(out, sc[g] * BitPacker.unpack(packed, r * rowBytes, i, bits));
                    dst[r * cols + i] = dev.swan.toolkit.tensor.HalfFloats.roundTo(out, product + bi[g]);
                }
            }
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            int cols = (int) cols();
            int rowBytes = cols * bits / 8;
            int groups = cols / group;
            byte[] packed = new byte[rowBytes * count];
            float[] sc = new float[groups * count];
            float[] bi = new float[groups * count];
            codes.readBytes(first * rowBytes, packed, 0, packed.length);
            scales.readFloats(first * groups, sc, 0, sc.length);
            biases.readFloats(first * groups, bi, 0, bi.length);
            for (int r = 0; r < count; r++) {
                int o = r * cols;
                int po = r * rowBytes;
                for (int g = 0; g < groups; g++) {
                    float s = sc[r * groups + g];
                    float b = bi[r * groups + g];
                    int e0 = g * group;
                    if (bits == 4) {
                        for (int i = e0; i < e0 + group; i += 2) {
                            int v = packed[po + (i >> 1)] & 0xff;
                            dst[o + i] = AffineQuantizer.dequantize(v & 15, s, b);
                            dst[o + i + 1] = AffineQuantizer.dequantize(v >>> 4, s, b);
                        }
                    } else if (bits == 8) {
                        for (int i = e0; i < e0 + group; i++) dst[o + i] = AffineQuantizer.dequantize(packed[po + i] & 0xff, s, b);
                    } else {
                        for (int i = e0; i < e0 + group; i++) {
                            dst[o + i] = AffineQuantizer.dequantize(BitPacker.unpack(packed, po, i, bits), s, b);
                        }
                    }
                }
            }
        }
    }
}
