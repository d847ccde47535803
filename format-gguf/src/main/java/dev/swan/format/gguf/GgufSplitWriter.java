package dev.swan.format.gguf;

import dev.swan.api.FormatContext;
import dev.swan.api.OutputException;
import dev.swan.api.WriteReport;
import dev.swan.api.model.ModelDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama-quantize's --keep-split: each tensor goes to the part its source tensor came from (the source's
 * weight files in order), as many parts as the source has (trailing empty ones dropped). The first part
 * holds the metadata, every part {@code split.no}, {@code split.count} and {@code split.tensors.count}
 * (u16, u16, i32, as llama.cpp writes them); the output is named {@code PREFIX-00001-of-0000N.gguf} and the
 * other parts are companions named {@code PREFIX-0000i-of-0000N.gguf}.
 */
final class GgufSplitWriter {
    private static final Pattern FIRST = Pattern.compile("(.+)-00001-of-(\\d{5})\\.gguf");

    private GgufSplitWriter() {
    }

    static WriteReport write(ModelDir model, List<GgufPlan.Entry> entries, Map<String, GgufValue> kv, Path target,
                             FormatContext ctx) throws IOException {
        List<Path> files = model.shardFiles();
        List<List<GgufPlan.Entry>> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) parts.add(new ArrayList<>());
        for (GgufPlan.Entry e : entries) {
            int at = e.source() == null ? 0 : Math.max(0, files.indexOf(e.sources().get(0).file()));
            parts.get(at).add(e);
        }
        while (parts.size() > 1 && parts.get(parts.size() - 1).isEmpty()) parts.remove(parts.size() - 1);
        int n = parts.size();
        Matcher m = FIRST.matcher(ctx.outputName());
        if (!m.matches() || Integer.parseInt(m.group(2)) != n) {
            throw new OutputException(target, "--keep-split writes " + n + " files: name the output PREFIX-00001-of-"
                    + String.format(Locale.ROOT, "%05d", n) + ".gguf (got '" + ctx.outputName() + "')");
        }
        List<WriteReport.Written> written = new ArrayList<>();
        Map<Path, String> companions = new LinkedHashMap<>();
        long bytes = 0;
        try {
            for (int i = 0; i < n; i++) {
                Map<String, GgufValue> partKv = i == 0 ? new LinkedHashMap<>(kv) : new LinkedHashMap<>();
                partKv.put("split.no", new GgufValue(GgufValue.UINT16, (long) i, -1));
                partKv.put("split.count", new GgufValue(GgufValue.UINT16, (long) n, -1));
                partKv.put("split.tensors.count", new GgufValue(GgufValue.INT32, (long) entries.size(), -1));
                Path file = i == 0 ? target : target.resolveSibling(target.getFileName() + ".part" + (i + 1));
                if (i > 0) companions.put(file, String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", m.group(1), i + 1, n));
                WriteReport r = GgufWriter.write(model, parts.get(i), partKv, file, ctx);
                written.addAll(r.tensors());
                bytes += r.bytes();
            }
        } catch (IOException | RuntimeException e) {
            for (Path p : companions.keySet()) Files.deleteIfExists(p);
            throw e;
        }
        return new WriteReport(target, bytes, written, List.of(), companions);
    }
}
