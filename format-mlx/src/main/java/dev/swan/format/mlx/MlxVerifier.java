package dev.swan.format.mlx;

import dev.swan.api.ModelFormatException;
import dev.swan.api.VerifyReport;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import dev.swan.toolkit.model.ExpertWeight;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Re-opens an MLX directory and checks what {@code mlx_lm.load} checks (mlx-lm's utils.py (load, save_config)): every
 * {@code model*.safetensors} is read; the set of names must equal what the model class creates (no
 * missing, no extra such as a stray {@code lm_head.scales}); quantized modules must have shapes that
 * agree with their bits and group size (per-module entry, else global); dtypes must be right; no NaN or
 * Inf. With the source model, reports each tensor's dequantization error.
 */
final class MlxVerifier {
    private MlxVerifier() {
    }

    static VerifyReport verify(Path dir, Optional<ModelDir> source) throws IOException {
        List<String> problems = new ArrayList<>();
        List<VerifyReport.Check> checks = new ArrayList<>();
        Path cfgFile = dir.resolve("config.json");
        Map<String, Object> cfg;
        try {
            cfg = Json.parseObject(dev.swan.toolkit.io.InputFiles.readText(cfgFile, dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelFormatException(cfgFile, null, "missing: not an MLX model directory");
        } catch (JsonParseException e) {
            throw new ModelFormatException(cfgFile, null, "malformed JSON: " + e.getMessage());
        }
        ModelConfig config = new ModelConfig(cfgFile, cfg);
        List<String> names = new ArrayList<>();
        try (var list = Files.list(dir)) {
            list.forEach(f -> names.add(f.getFileName().toString()));
        }
        if (!MlxFormat.hasTokenizer(names)) {
            problems.add("no tokenizer (tokenizer.json, tokenizer.model, or vocab.json with merges.txt): mlx_lm.load "
                    + "needs one; copy the source model's tokenizer files into " + dir);
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        List<SafetensorsFile> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "model*.safetensors")) {
            List<Path> paths = new ArrayList<>();
            ds.forEach(paths::add);
            paths.sort(null);
            if (paths.isEmpty()) problems.add("no model*.safetensors files");
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                if (!"mlx".equals(f.metadata().get("format"))) {
                    problems.add(p.getFileName() + ": __metadata__.format is " + f.metadata().get("format") + ", not mlx");
                }
                for (TensorInfo t : f.tensors().values()) {
                    if (tensors.put(t.name(), t) != null) problems.add(t.name() + ": stored in two files");
                    owner.put(t.name(), f);
                }
            }
            Object qv = cfg.get("quantization");
            @SuppressWarnings("unchecked")
            Map<String, Object> q = qv instanceof Map ? (Map<String, Object>) qv : Map.of();
            if (qv != null && !qv.equals(cfg.get("quantization_config"))) {
                problems.add("config.json: quantization_config differs from quantization");
            }
            Optional<Map<String, long[]>> expected = MlxInventory.expected(config);
            TreeSet<String> seen = new TreeSet<>();
            for (Map.Entry<String, TensorInfo> e : tensors.entrySet()) {
                String name = e.getKey();
                TensorInfo t = e.getValue();
                if (name.endsWith(".scales") || name.endsWith(".biases")) continue;
                String path = MlxModules.modulePath(name);
                boolean quantized = name.endsWith(".weight") && tensors.containsKey(path + ".scales");
                long[] floatShape = t.shape();
                String type = t.dtype().name();
                MlxMode mode = modeOf(q, path, problems);
                if (quantized && mode != null && !mode.affine()) {
                    type = mode.id();
                    floatShape = checkMicroscaled(name, path, t, tensors, mode, problems);
                    seen.add(path + ".scales");
                    seen.add(name);
                    if (expected.isPresent() && floatShape != null && !Arrays.equals(expected.get().get(name), floatShape)) {
                        problems.add(name + ": shape " + Arrays.toString(floatShape) + " but the model expects "
                                + Arrays.toString(expected.get().get(name)));
                    }
                    checks.add(microscaledError(name, type, t, tensors, owner, source, mode, floatShape, problems));
                    continue;
                }
                if (quantized) {
                    int[] bg = bitsAndGroup(q, path, problems);
                    if (bg == null) continue;
                    type = "affine" + bg[0] + "/g" + bg[1];
                    floatShape = checkQuantized(name, path, t, tensors, bg[0], bg[1], problems);
                    seen.add(path + ".scales");
                    seen.add(path + ".biases");
                } else {
                    if (q.get(path) instanceof Map) {
                        problems.add(path + ": config.json has a quantization entry but no " + path + ".scales is stored");
                    }
                    if (!t.dtype().isFloat()) problems.add(name + ": dtype " + t.dtype() + " where a float is expected");
                    checkFinite(owner.get(name).data(t), problems);
                }
                seen.add(name);
                if (expected.isPresent()) {
                    long[] want = expected.get().get(name);
                    if (want == null) {
                        problems.add(name + ": not a parameter of the " + config.modelType()
                                + " model (load_weights(strict=True) would fail: parameters not in model)");
                    } else if (floatShape != null && !Arrays.equals(want, floatShape)) {
                        problems.add(name + ": shape " + Arrays.toString(floatShape) + " but the model expects "
                                + Arrays.toString(want));
                    }
                }
                checks.add(error(name, type, quantized, t, tensors, owner, source, q, problems));
            }
            for (String name : tensors.keySet()) {
                if ((name.endsWith(".scales") || name.endsWith(".biases")) && !seen.contains(name)) {
                    problems.add(name + ": quantization tensor without its .weight");
                }
            }
            if (expected.isPresent()) {
                for (String name : expected.get().keySet()) {
                    if (!tensors.containsKey(name)) problems.add(name + ": missing (the model expects it)");
                }
            }
        } finally {
            files.forEach(SafetensorsFile::close);
        }
        return new VerifyReport(dir, problems, checks);
    }

    /** The module's mode (its own entry's, affine when it names none; else the global one); null with a problem for one MLX lacks. */
    private static MlxMode modeOf(Map<String, Object> q, String path, List<String> problems) {
        // mlx_lm hands a module's own entry to to_quantized as it is: without a mode, that is affine
        Object mode = q.get(path) instanceof Map<?, ?> m ? m.get("mode") : q.get("mode");
        if (mode == null) return MlxMode.AFFINE;
        Optional<MlxMode> m = MlxMode.parse(String.valueOf(mode));
        if (m.isEmpty()) problems.add(path + ": mode " + mode + " is not one MLX defines (affine, mxfp4, nvfp4, mxfp8)");
        return m.orElse(null);
    }

    /** Codes and uint8 scales that fit the mode; the float shape they stand for (null when they do not fit). */
    private static long[] checkMicroscaled(String name, String path, TensorInfo w, Map<String, TensorInfo> all, MlxMode mode,
                                           List<String> problems) {
        TensorInfo s = all.get(path + ".scales");
        if (all.containsKey(path + ".biases")) problems.add(path + ".biases: " + mode.id() + " has no biases (load would fail)");
        if (w.dtype() != DType.U32) problems.add(name + ": dtype " + w.dtype() + ", packed codes are uint32");
        if (s.dtype() != DType.U8) problems.add(path + ".scales: dtype " + s.dtype() + ", " + mode.id() + " scales are uint8");
        long[] ws = w.shape();
        long cols = ws[ws.length - 1] * 32 / mode.bits;
        long[] ss = s.shape();
        long[] lead = Arrays.copyOf(ws, ws.length - 1);
        if (cols % mode.group != 0 || ss.length != ws.length || ss[ss.length - 1] != cols / mode.group
                || !Arrays.equals(lead, Arrays.copyOf(ss, ss.length - 1))) {
            problems.add(path + ": weight " + Arrays.toString(ws) + " and scales " + Arrays.toString(ss) + " do not fit "
                    + mode.id() + " (" + mode.bits + "-bit codes, one scale per " + mode.group + ")");
            return null;
        }
        long[] out = ws.clone();
        out[out.length - 1] = cols;
        return out;
    }

    /** The dequantization error against the source, decoded as MLX decodes the mode. */
    private static VerifyReport.Check microscaledError(String name, String type, TensorInfo t, Map<String, TensorInfo> all,
                                                       Map<String, SafetensorsFile> owner, Optional<ModelDir> source,
                                                       MlxMode mode, long[] floatShape, List<String> problems) {
        Optional<TensorData> src = source.flatMap(m -> sourceData(m, name));
        if (source.isPresent() && src.isEmpty()) {
            problems.add(name + ": not in the source: --source is not the model this output was made from");
            return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
        }
        if (src.isEmpty() || floatShape == null) return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
        if (!Arrays.equals(src.get().info().shape(), floatShape)) return shapeMismatch(name, type, t, src.get().info(), problems);
        String path = MlxModules.modulePath(name);
        TensorData codes = owner.get(name).data(t);
        TensorData scales = owner.get(path + ".scales").data(all.get(path + ".scales"));
        int cols = (int) floatShape[floatShape.length - 1];
        long rows = src.get().info().numel() / cols;
        int rowBytes = (int) mode.codeBytes(cols);
        int groups = cols / mode.group;
        byte[] packed = new byte[rowBytes];
        byte[] sc = new byte[groups];
        float[] x = new float[cols];
        float[] y = new float[cols];
        double err = 0;
        double energy = 0;
        double max = 0;
        for (long r = 0; r < rows; r++) {
            codes.readBytes(r * rowBytes, packed, 0, rowBytes);
            scales.readBytes(r * groups, sc, 0, groups);
            mode.dequantizeRow(packed, 0, sc, 0, cols, y, 0);
            src.get().readRow(r, x);
            for (int i = 0; i < cols; i++) {
                double d = y[i] - x[i];
                err += d * d;
                energy += (double) x[i] * x[i];
                max = Math.max(max, Math.abs(d));
                if (!Float.isFinite(y[i])) {
                    problems.add(name + ": NaN or Inf at element " + (r * cols + i));
                    return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
                }
            }
        }
        return new VerifyReport.Check(name, type, energy > 0 ? Math.sqrt(err / energy) : 0, max);
    }

    @SuppressWarnings("unchecked")
    private static int[] bitsAndGroup(Map<String, Object> q, String path, List<String> problems) {
        Object e = q.get(path);
        Object bits = q.get("bits");
        Object group = q.get("group_size");
        if (e instanceof Map) {
            Map<String, Object> m = (Map<String, Object>) e;
            bits = m.get("bits");
            group = m.get("group_size");
        } else if (Boolean.FALSE.equals(e)) {
            problems.add(path + ": config says 'false' (float) but quantized tensors are stored");
            return null;
        }
        if (!(bits instanceof Long) || !(group instanceof Long)) {
            problems.add(path + ": quantized, but config.json gives no integer bits and group_size for it");
            return null;
        }
        int b = ((Long) bits).intValue();
        int g = ((Long) group).intValue();
        if (!MlxModules.BITS.contains(b) || !MlxModules.GROUPS.contains(g)) {
            problems.add(path + ": bits " + b + " / group_size " + g + " are not an MLX affine mode");
            return null;
        }
        return new int[] {b, g};
    }

    /** Checks shapes and dtypes of a triplet; returns the float shape it stands for, or null. */
    private static long[] checkQuantized(String name, String path, TensorInfo w, Map<String, TensorInfo> all, int bits,
                                         int group, List<String> problems) {
        TensorInfo s = all.get(path + ".scales");
        TensorInfo b = all.get(path + ".biases");
        if (b == null) {
            problems.add(path + ".biases: missing (affine mode needs biases)");
            return null;
        }
        if (w.dtype() != DType.U32) problems.add(name + ": dtype " + w.dtype() + ", expected U32");
        if (!s.dtype().isFloat() || s.dtype() != b.dtype()) problems.add(path + ": scales/biases dtypes " + s.dtype() + "/" + b.dtype());
        long[] ws = w.shape();
        long packed = ws[ws.length - 1];
        if (packed * 32 % bits != 0) {
            problems.add(name + ": " + packed + " words cannot hold whole " + bits + "-bit codes");
            return null;
        }
        long cols = packed * 32 / bits;
        long[] expectScales = ws.clone();
        expectScales[ws.length - 1] = cols / group;
        if (cols % group != 0 || !Arrays.equals(expectScales, s.shape()) || !Arrays.equals(expectScales, b.shape())) {
            problems.add(path + ": weight " + Arrays.toString(ws) + " at " + bits + " bits and group " + group
                    + " needs scales/biases " + Arrays.toString(expectScales) + ", found " + Arrays.toString(s.shape()));
        }
        long[] floatShape = ws.clone();
        floatShape[ws.length - 1] = cols;
        return floatShape;
    }

    private static void checkFinite(TensorData d, List<String> problems) {
        long n = d.info().numel();
        float[] buf = new float[1 << 16];
        for (long off = 0; off < n; off += buf.length) {
            int k = (int) Math.min(buf.length, n - off);
            d.readFloats(off, buf, 0, k);
            for (int i = 0; i < k; i++) {
                if (!Float.isFinite(buf[i])) {
                    problems.add(d.info().name() + ": NaN or Inf at element " + (off + i));
                    return;
                }
            }
        }
    }

    /** Dequantization error against the source weight (NaN without a source). */
    private static VerifyReport.Check error(String name, String type, boolean quantized, TensorInfo t,
                                            Map<String, TensorInfo> all, Map<String, SafetensorsFile> owner,
                                            Optional<ModelDir> source, Map<String, Object> q, List<String> problems) {
        Optional<TensorData> src = source.flatMap(m -> sourceData(m, name));
        if (source.isPresent() && src.isEmpty()) {
            problems.add(name + ": not in the source: --source is not the model this output was made from");
            return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
        }
        if (!quantized) {
            if (src.isEmpty()) return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
            if (!java.util.Arrays.equals(src.get().info().shape(), t.shape())) {
                return shapeMismatch(name, type, t, src.get().info(), problems);
            }
            return bounded(compare(name, type, src.get(), owner.get(name).data(t), null, 0, 0), false, problems);
        }
        String path = MlxModules.modulePath(name);
        TensorData scales = owner.get(path + ".scales").data(all.get(path + ".scales"));
        TensorData biases = owner.get(path + ".biases").data(all.get(path + ".biases"));
        int[] bg = bitsAndGroup(q, path, new ArrayList<>());
        // scales and biases must be finite (NaN here decodes every weight of the group to NaN)
        checkFinite(scales, problems);
        checkFinite(biases, problems);
        if (src.isEmpty() || bg == null) return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
        long[] s = src.get().info().shape();
        long[] w = t.shape();
        boolean fits = s.length >= 2 && s.length == w.length && s[s.length - 1] * bg[0] == w[w.length - 1] * 32
                && java.util.Arrays.equals(java.util.Arrays.copyOf(s, s.length - 1), java.util.Arrays.copyOf(w, w.length - 1));
        if (!fits) return shapeMismatch(name, type, t, src.get().info(), problems);
        return bounded(compare(name, type, src.get(), owner.get(name).data(t), new TensorData[] {scales, biases},
                bg[0], bg[1]), true, problems);
    }

    /**
     * The source weight a stored one was made from: the same name, or for a SwitchLinear stack the
     * checkpoint's stored stack or its experts' slices read in order.
     */
    private static Optional<TensorData> sourceData(ModelDir m, String name) {
        Optional<TensorInfo> same = m.find(name);
        if (same.isPresent()) return Optional.of(m.data(same.get()));
        Optional<String> stack = MlxModules.hfStackName(name);
        if (stack.isEmpty()) return Optional.empty();
        Optional<TensorInfo> stored = m.find(stack.get());
        if (stored.isPresent()) return Optional.of(m.data(stored.get()));
        ExpertWeight x = ExpertWeight.parse(stack.get()).orElseThrow();
        List<TensorData> parts = new ArrayList<>();
        for (int e = 0; m.find(x.sliceName(e)).isPresent(); e++) parts.add(m.data(m.find(x.sliceName(e)).get()));
        return parts.isEmpty() ? Optional.empty() : Optional.of(new dev.swan.toolkit.tensor.StackedTensorData(name, parts));
    }

    private static VerifyReport.Check shapeMismatch(String name, String type, TensorInfo t, TensorInfo src, List<String> problems) {
        problems.add(name + ": stored as " + java.util.Arrays.toString(t.shape()) + " (" + type + ") but the source's is "
                + java.util.Arrays.toString(src.shape()) + ": --source is not the model this output was made from");
        return new VerifyReport.Check(name, type, Double.NaN, Double.NaN);
    }

    private static VerifyReport.Check bounded(VerifyReport.Check c, boolean quantized, List<String> problems) {
        if (c.nrmse() > VerifyReport.sourceErrorBound(quantized)) problems.add(VerifyReport.sourceMismatch(c.name(), c.type(), c.nrmse()));
        return c;
    }

    private static VerifyReport.Check compare(String name, String type, TensorData src, TensorData out,
                                              TensorData[] sb, int bits, int group) {
        long cols = src.info().cols();
        long rows = src.info().numel() / cols;
        float[] a = new float[(int) cols];
        float[] b = new float[(int) cols];
        int rowBytes = (int) (cols * bits / 8);
        byte[] packed = new byte[Math.max(rowBytes, 1)];
        float[] sc = new float[(int) Math.max(1, cols / Math.max(1, group))];
        float[] bi = new float[sc.length];
        double err = 0;
        double energy = 0;
        double max = 0;
        for (long r = 0; r < rows; r++) {
            src.readRow(r, a);
            if (sb == null) {
                out.readRow(r, b);
            } else {
                out.readBytes(r * rowBytes, packed, 0, rowBytes);
                sb[0].readFloats(r * sc.length, sc, 0, sc.length);
                sb[1].readFloats(r * bi.length, bi, 0, bi.length);
                for (int i = 0; i < cols; i++) {
                    b[i] = AffineQuantizer.dequantize(BitPacker.unpack(packed, 0, i, bits), sc[i / group], bi[i / group]);
                }
            }
            for (int i = 0; i < cols; i++) {
                double d = (double) b[i] - a[i];
                err += d * d;
                energy += (double) a[i] * a[i];
                max = Math.max(max, Math.abs(d));
            }
        }
        return new VerifyReport.Check(name, type, energy > 0 ? Math.sqrt(err / energy) : 0, max);
    }
}
