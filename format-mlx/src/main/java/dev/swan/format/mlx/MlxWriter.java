package dev.swan.format.mlx;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.OutputException;
import dev.swan.api.WriteReport;
import dev.swan.toolkit.json.JsonWriter;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Streams an MLX model directory: shard by shard, tensor by tensor, rows quantized in parallel in
 * chunks and written as they are done, so memory holds one chunk plus one tensor's scales and biases.
 */
final class MlxWriter {
    private static final int CHUNK_ROWS = 1024;
    private static final int TASK_ROWS = 64;

    private final ModelDir model;
    private final AllocationPlan plan;
    private final FormatContext ctx;
    private final DType floatDtype;
    private final boolean keepSource;
    private final long maxShard;
    private final boolean searchRounding;

    private final MlxMode mode;

    MlxWriter(ModelDir model, AllocationPlan plan, FormatContext ctx, DType floatDtype, boolean keepSource, long maxShard,
              boolean searchRounding, MlxMode mode) {
        this.mode = mode;
        this.searchRounding = searchRounding;
        this.model = model;
        this.plan = plan;
        this.ctx = ctx;
        this.floatDtype = floatDtype;
        this.keepSource = keepSource;
        this.maxShard = maxShard;
    }

    WriteReport write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<MlxLayout.Item> items = MlxLayout.items(model, plan, floatDtype, keepSource, mode);
        // what the writer writes, its verifier accepts: a tensor the model mlx_lm builds has no place for is
        // refused before anything is written, not written for load_weights(strict=True) to fail on
        java.util.Optional<Map<String, long[]>> expected = MlxInventory.expected(model.config());
        if (expected.isPresent()) {
            for (MlxLayout.Item item : items) {
                if (!expected.get().containsKey(item.floatName())) {
                    throw new dev.swan.api.OutputException(null, model.path() + ": " + item.source().name() + " is not a "
                            + "parameter of the " + model.config().modelType() + " model mlx_lm builds (loading would fail): "
                            + "remove it from the checkpoint, or convert this model with its own tool");
                }
            }
        }
        List<MlxLayout.Shard> shards = MlxLayout.shards(items, maxShard);
        Map<String, Object> weightMap = new TreeMap<>();
        List<WriteReport.Written> written = new ArrayList<>();
        long total = 0;
        long params = 0;
        // progress in weights, the work an item costs (an item count would make the ETA wrong)
        long work = 0;
        for (MlxLayout.Item item : items) work += item.numel();
        long done = 0;
        for (MlxLayout.Shard shard : shards) {
            List<SafetensorsWriter.Entry> entries = shard.entries();
            try (SafetensorsWriter w = SafetensorsWriter.create(dir.resolve(shard.file()), Map.of("format", "mlx"), entries)) {
                for (MlxLayout.Item item : shard.ordered()) {
                    ctx.progress().update(done, work, item.path());
                    if (item.quantized()) writeQuantized(item, w);
                    else writeFloat(item, w);
                    done += item.numel();
                    long bytes = item.bytes();
                    total += bytes;
                    params += item.numel();
                    // one line per source tensor (every expert of a stack, with its share of the bytes)
                    List<TensorInfo> parts = item.sources();
                    for (TensorInfo part : parts) {
                        written.add(new WriteReport.Written(part.name(), item.type(),
                                item.quantized() ? item.bits() : item.dtype().size() * 8, item.numel() / parts.size(),
                                bytes / parts.size(), item.note()));
                    }
                }
            }
            for (SafetensorsWriter.Entry e : entries) weightMap.put(e.name(), shard.file());
        }
        ctx.progress().update(1, 1, "");
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", dev.swan.toolkit.json.Json.object("total_size", total, "total_parameters", params));
        index.put("weight_map", weightMap);
        writeJson(dir.resolve("model.safetensors.index.json"), index, false);
        writeJson(dir.resolve("config.json"), MlxConfig.build(model.config(), items, keepSource ? null : floatDtype), false);
        for (Path p : model.tokenizerFiles()) copy(p, dir);
        for (Path p : model.sideFiles()) copy(p, dir);
        // bits per weight as llama.cpp and swan eval count them: the weight files (headers included) over the weights
        long weightFiles = 0;
        for (MlxLayout.Shard shard : shards) weightFiles += Files.size(dir.resolve(shard.file()));
        Files.writeString(dir.resolve("README.md"), ModelCard.render(model, items, weightFiles, ctx.provenance(), ctx.method()),
                StandardCharsets.UTF_8);
        long onDisk = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) onDisk += Files.size(p);
        }
        List<String> warnings = MlxFormat.hasTokenizer(model) ? List.of()
                : List.of("no tokenizer files: mlx_lm.load fails on this output until the model's tokenizer.json "
                        + "(or tokenizer.model) is copied in");
        return new WriteReport(dir, onDisk, written, warnings);
    }

    /** Per-task scratch (rows of floats, codes), reused across chunks and tensors to keep the heap small. */
    private static final class Scratch {
        float[] x = new float[0];
        int[] codes = new int[0];

        void ensure(int n) {
            if (x.length < n) {
                x = new float[n];
                codes = new int[n];
            }
        }
    }

    private final Scratch[] scratch = newScratch();

    private static Scratch[] newScratch() {
        Scratch[] s = new Scratch[CHUNK_ROWS / TASK_ROWS];
        for (int i = 0; i < s.length; i++) s[i] = new Scratch();
        return s;
    }

    /** The item's data: its source tensor, or its experts' slices read as one stack. */
    private TensorData data(MlxLayout.Item item) {
        if (item.parts() == null) return model.stream(item.source());
        List<TensorData> parts = new ArrayList<>();
        for (TensorInfo t : item.parts()) parts.add(model.stream(t));
        return new dev.swan.toolkit.tensor.StackedTensorData(item.floatName(), parts);
    }

    /** A microscaling mode's codes and uint8 scales, row by row (no search: MLX's own rounding). */
    private void writeMicroscaled(MlxLayout.Item item, SafetensorsWriter w) throws IOException {
        TensorData data = data(item);
        MlxMode m = item.mode();
        int cols = (int) item.cols();
        int rows = Math.toIntExact(item.numel() / cols);
        int rowBytes = (int) m.codeBytes(cols);
        int groups = cols / m.group;
        byte[] scales = new byte[rows * groups];
        w.beginTensor(item.path() + ".weight");
        byte[] packed = new byte[Math.min(CHUNK_ROWS, rows) * rowBytes];
        for (int c0 = 0; c0 < rows; c0 += CHUNK_ROWS) {
            int chunkRows = Math.min(CHUNK_ROWS, rows - c0);
            int start = c0;
            String[] bad = new String[1];
            ctx.parallel().forEach((chunkRows + TASK_ROWS - 1) / TASK_ROWS, t -> {
                int r0 = t * TASK_ROWS;
                int n = Math.min(TASK_ROWS, chunkRows - r0);
                Scratch sc = scratch[t];
                sc.ensure(n * cols);
                float[] x = sc.x;
                bad[0] = readRows(data, item, start + r0, n, cols, x);
                if (bad[0] != null) return;
                for (int r = 0; r < n; r++) {
                    m.quantizeRow(x, r * cols, cols, packed, (r0 + r) * rowBytes, scales, (start + r0 + r) * groups);
                }
            });
            if (bad[0] != null) throw nonFinite(item, bad[0]);
            w.write(packed, 0, chunkRows * rowBytes);
        }
        w.beginTensor(item.path() + ".scales");
        w.write(scales, 0, scales.length);
    }

    /**
     * Reads rows {@code [first, first + n)} into {@code x}; an explicit dtype casts them before they are
     * quantized, as mlx_lm.convert --dtype does. Returns where a NaN or infinite weight sits, or null.
     */
    private String readRows(TensorData data, MlxLayout.Item item, int first, int n, int cols, float[] x) {
        data.readFloats((long) first * cols, x, 0, n * cols);
        for (int i = 0; i < n * cols; i++) {
            if (!Float.isFinite(x[i])) return "row " + (first + i / cols);
        }
        if (!keepSource) for (int i = 0; i < n * cols; i++) x[i] = HalfFloats.roundTo(item.dtype(), x[i]);
        return null;
    }

    private static OutputException nonFinite(MlxLayout.Item item, String where) {
        return new OutputException(null, item.floatName() + ": NaN or infinite weight near " + where
                + ": cannot be quantized (fix the checkpoint or keep the tensor in float with --override)");
    }

    private void writeQuantized(MlxLayout.Item item, SafetensorsWriter w) throws IOException {
        if (!item.mode().affine()) {
            writeMicroscaled(item, w);
            return;
        }
        TensorData data = data(item);
        int cols = (int) item.cols();
        int rows = Math.toIntExact(item.numel() / cols);
        int bits = item.bits();
        int group = item.group();
        int groups = cols / group;
        int rowBytes = cols * bits / 8;
        float[] scales = new float[rows * groups];
        float[] biases = new float[rows * groups];
        w.beginTensor(item.path() + ".weight");
        Parallel par = ctx.parallel();
        byte[] packed = new byte[Math.min(CHUNK_ROWS, rows) * rowBytes];
        for (int c0 = 0; c0 < rows; c0 += CHUNK_ROWS) {
            int chunkRows = Math.min(CHUNK_ROWS, rows - c0);
            int start = c0;
            String[] bad = new String[1];
            par.forEach((chunkRows + TASK_ROWS - 1) / TASK_ROWS, t -> {
                int r0 = t * TASK_ROWS;
                int n = Math.min(TASK_ROWS, chunkRows - r0);
                Scratch sc = scratch[t];
                sc.ensure(n * cols);
                float[] x = sc.x;
                bad[0] = readRows(data, item, start + r0, n, cols, x);
                if (bad[0] != null) return;
                if (searchRounding) {
                    AffineQuantizer.quantizeSearched(x, 0, group, n * groups, bits, item.dtype(), sc.codes, scales, biases,
                            (start + r0) * groups);
                } else {
                    AffineQuantizer.quantize(x, 0, group, n * groups, bits, item.dtype(), sc.codes, scales, biases,
                            (start + r0) * groups);
                }
                for (int r = 0; r < n; r++) BitPacker.pack(sc.codes, r * cols, cols, bits, packed, (r0 + r) * rowBytes);
            });
            if (bad[0] != null) throw nonFinite(item, bad[0]);
            for (int g = start * groups; g < (start + chunkRows) * groups; g++) {
                if (!Float.isFinite(scales[g]) || !Float.isFinite(biases[g])) {
                    throw new OutputException(null, item.floatName() + ": weights too large for " + item.dtype()
                            + " scales near row " + g / groups + " (the group's range overflows): keep the tensor in float with "
                            + "--override, or write float32 scales with --set mlx.dtype=float32");
                }
            }
            w.write(packed, 0, chunkRows * rowBytes);
        }
        w.beginTensor(item.path() + ".scales");
        w.write(encode(scales, item.dtype()));
        w.beginTensor(item.path() + ".biases");
        w.write(encode(biases, item.dtype()));
    }

    private void writeFloat(MlxLayout.Item item, SafetensorsWriter w) throws IOException {
        TensorData data = data(item);
        if (item.source().dtype().isFloat()) requireFinite(item, data);
        w.beginTensor(item.floatName());
        if (item.dtype() == item.source().dtype()) {
            byte[] buf = new byte[1 << 20];
            long size = data.info().byteSize();
            for (long off = 0; off < size; off += buf.length) {
                int n = (int) Math.min(buf.length, size - off);
                data.readBytes(off, buf, 0, n);
                w.write(buf, 0, n);
            }
            return;
        }
        long n = item.numel();
        float[] buf = new float[1 << 18];
        for (long off = 0; off < n; off += buf.length) {
            int k = (int) Math.min(buf.length, n - off);
            data.readFloats(off, buf, 0, k);
            float[] part = k == buf.length ? buf : java.util.Arrays.copyOf(buf, k);
            w.write(encode(part, item.dtype()));
        }
    }

    /** NaN or infinite weights load in mlx_lm and then poison every activation: refused before writing them. */
    private static void requireFinite(MlxLayout.Item item, TensorData data) {
        long n = item.numel();
        float[] buf = new float[(int) Math.min(n, 1 << 16)];
        for (long off = 0; off < n; off += buf.length) {
            int k = (int) Math.min(buf.length, n - off);
            data.readFloats(off, buf, 0, k);
            for (int i = 0; i < k; i++) {
                if (!Float.isFinite(buf[i]) || !Float.isFinite(HalfFloats.roundTo(item.dtype(), buf[i]))) {
                    throw new OutputException(null, item.floatName() + ": " + (Float.isFinite(buf[i]) ? "a weight too large for "
                            + item.dtype() : "a NaN or infinite weight") + " at element " + (off + i)
                            + " (fix the checkpoint, or choose another dtype with --set mlx.dtype=...)");
                }
            }
        }
    }

    /** Copies contents only (a read-only source must not make the output read-only). */
    private static void copy(Path file, Path dir) throws IOException {
        try (var in = Files.newInputStream(file)) {
            Files.copy(in, dir.resolve(file.getFileName().toString()));
        }
    }

    /** Float values (already rounded to {@code dtype}) as little-endian bytes of that dtype. */
    static ByteBuffer encode(float[] v, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            switch (dtype) {
                case BF16: b.putShort(HalfFloats.f32ToBf16(f)); break;
                case F16: b.putShort(HalfFloats.f32ToF16(f)); break;
                case F32: b.putFloat(f); break;
                default: throw new IllegalArgumentException("scales cannot be " + dtype);
            }
        }
        return b.flip();
    }

    static void writeJson(Path file, Object value, boolean sortKeys) throws IOException {
        Files.writeString(file, JsonWriter.pretty(4, sortKeys).write(value), StandardCharsets.UTF_8);
    }
}
