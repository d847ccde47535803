package dev.swan.format.gguf;

import dev.swan.api.FormatContext;
import dev.swan.api.OutputException;
import dev.swan.api.WriteReport;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.format.gguf.quant.WeightedQuants;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Streams a GGUF file: header and tensor infos first (every type and size is known up front), then each
 * tensor's data in info order, quantized in parallel chunks of rows and padded to 32 bytes, the last
 * tensor included. Source rows are read through q/k permutation for llama. Non-finite input, and any
 * type that cannot hold a value (e.g. F16 above 65504), is refused with the tensor's name.
 */
final class GgufWriter {
    private static final int CHUNK_ROWS = 512;
    private static final int TASK_ROWS = 32;

    private GgufWriter() {
    }

    static WriteReport write(ModelDir model, List<GgufPlan.Entry> entries, Map<String, GgufValue> kv, Path file,
                             FormatContext ctx) throws IOException {
        GgufLayout layout = new GgufLayout();
        layout.kv.putAll(kv);
        for (GgufPlan.Entry e : entries) layout.tensors.add(new GgufLayout.Tensor(e.name(), e.ne(), e.type()));
        List<WriteReport.Written> written = new ArrayList<>();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(layout.header());
            // progress in weights, the work a tensor costs (a tensor count would make the ETA wrong)
            long work = 0;
            for (GgufPlan.Entry e : entries) work += numel(e);
            long done = 0;
            int i = 0;
            for (GgufPlan.Entry e : entries) {
                ctx.progress().update(done, work, e.name());
                done += numel(e);
                i++;
                long bytes = layout.tensors.get(i - 1).bytes();
                if (e.generated() != null) {
                    byte[] b = new byte[(int) bytes];
                    e.type().quantizer().quantizeRow(e.generated(), 0, e.generated().length, b, 0);
                    out.write(b);
                } else {
                    List<TensorInfo> parts = e.sources();
                    for (int k = 0; k < parts.size(); k++) {
                        TensorInfo part = parts.get(k);
                        if (rawCopy(e, part)) copyRaw(model.stream(part), out);
                        else quantize(model.stream(part), e, k, out, ctx.parallel());
                    }
                }
                for (long p = bytes; p < GgufLayout.align(bytes); p++) out.write(0);
                long params = 1;
                for (long d : e.ne()) params *= d;
                if (e.source() == null) {
                    written.add(new WriteReport.Written(e.name(), e.type().name(), e.type().nominalBits(), params, bytes, e.note()));
                } else {
                    // one line per source tensor (every expert of a stack, with its share of the bytes)
                    List<TensorInfo> parts = e.sources();
                    for (TensorInfo part : parts) {
                        written.add(new WriteReport.Written(part.name(), e.type().name(), e.type().nominalBits(),
                                params / parts.size(), bytes / parts.size(), e.note()));
                    }
                }
            }
        }
        ctx.progress().update(1, 1, "");
        return new WriteReport(file, Files.size(file), written);
    }

    private static long numel(GgufPlan.Entry e) {
        long n = 1;
        for (long d : e.ne()) n *= d;
        return n;
    }

    /** The stored bytes are already what GGUF wants: same float type, rows in place. */
    private static boolean rawCopy(GgufPlan.Entry e, TensorInfo part) {
        DType d = part.dtype();
        boolean same = (d == DType.F32 && e.type() == GgmlType.F32) || (d == DType.F16 && e.type() == GgmlType.F16)
                || (d == DType.BF16 && e.type() == GgmlType.BF16);
        return same && e.permuteHeads() == 0;
    }

    private static void copyRaw(TensorData data, OutputStream out) throws IOException {
        long size = data.info().byteSize();
        byte[] buf = new byte[1 << 20];
        float[] check = new float[buf.length / data.info().dtype().size()];
        for (long off = 0; off < size; off += buf.length) {
            int n = (int) Math.min(buf.length, size - off);
            data.readBytes(off, buf, 0, n);
            int elems = n / data.info().dtype().size();
            data.readFloats(off / data.info().dtype().size(), check, 0, elems);
            for (int k = 0; k < elems; k++) {
                if (!Float.isFinite(check[k])) throw nonFinite(data.info().name(), off / data.info().dtype().size() + k);
            }
            out.write(buf, 0, n);
        }
    }

    /** Part {@code part} of the entry (an expert of a stack, or the one source), its rows quantized in order. */
    private static void quantize(TensorData data, GgufPlan.Entry e, int part, OutputStream out, Parallel par)
            throws IOException {
        int cols = (int) e.ne()[0];
        long rows = data.info().numel() / cols;
        GgmlType type = e.type();
        int rowBytes = (int) type.rowBytes(cols);
        String name = data.info().name();
        float[] importance = e.importance();
        // one importance row per expert: a slice takes its expert's; a stack read as one tensor, each row its
        // expert's (rows / experts per expert), as llama-quantize slices the matrix at expert boundaries
        boolean perExpert = importance != null && importance.length > cols;
        boolean stacked = perExpert && e.sources().size() == 1 && e.ne().length == 3;
        long rowsPerExpert = stacked ? e.ne()[1] : rows;
        int importanceOffset = perExpert && !stacked ? part * cols : 0;
        for (long c0 = 0; c0 < rows; c0 += CHUNK_ROWS) {
            int n = (int) Math.min(CHUNK_ROWS, rows - c0);
            byte[] chunk = new byte[n * rowBytes];
            long start = c0;
            long[] bad = {-1};
            par.forEach((n + TASK_ROWS - 1) / TASK_ROWS, t -> {
                float[] row = new float[cols];
                for (int r = t * TASK_ROWS; r < Math.min(n, (t + 1) * TASK_ROWS); r++) {
                    long src = start + r;
                    if (e.permuteHeads() > 0) src = GgufArch.sourceRow(src, rows, e.permuteHeads());
                    data.readRow(src, row);
                    for (int k = 0; k < cols; k++) {
                        if (!Float.isFinite(row[k])) {
                            synchronized (bad) {
                                bad[0] = src * cols + k;
                            }
                            return;
                        }
                    }
                    if (importance != null) {
                        int at = stacked ? (int) (src / rowsPerExpert) * cols : importanceOffset;
                        WeightedQuants.quantizeRow(type.name(), row, 0, cols, importance, at, chunk, r * rowBytes);
                    } else {
                        type.quantizer().quantizeRow(row, 0, cols, chunk, r * rowBytes);
                    }
                    if (!type.finite(chunk, r * rowBytes, rowBytes)) {
                        synchronized (bad) {
                            bad[0] = -2 - src * cols;
                        }
                        return;
                    }
                }
            });
            if (bad[0] >= 0) throw nonFinite(name, bad[0]);
            if (bad[0] < -1) {
                throw new OutputException(null, name + ": " + type + " cannot represent the values near element "
                        + (-2 - bad[0]) + " (its scales or values overflow F16 above 65504): choose BF16 or F32 for it with --set gguf.type_16=BF16");
            }
            out.write(chunk);
        }
    }

    private static OutputException nonFinite(String tensor, long element) {
        return new OutputException(null, tensor + ": NaN or infinite weight at element " + element
                + ": refusing to write it (fix the checkpoint)");
    }
}
