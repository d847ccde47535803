package dev.swan.launcher.pipeline;

import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a plan amounts to: tensors and parameters per bit width, nominal average bits, and for its format
 * (for each installed format, when the plan names no format's encodings) the predicted bytes and effective
 * bits per weight (scales, biases and float tensors
 * included), plus analysis timings. For a mixture of experts also the bytes one token reads: everything
 * outside the experts plus k/E of the experts' bytes (k experts per token of E).
 */
public record Summary(long totalParams, int tensors, Map<Integer, long[]> byBits, double nominalBits,
                      Map<String, Long> bytesByFormat, Map<String, Double> effectiveBits,
                      Map<String, Double> metricSeconds, double analysisSeconds, Map<String, Long> activeBytesByFormat,
                      String experts) {

    public static Summary of(Manifest m, Map<String, TensorSizer> sizers) {
        List<TensorAnalysis> ts = m.tensors();
        List<TensorDecision> ds = m.plan().decisions();
        Map<Integer, long[]> byBits = new TreeMap<>(java.util.Comparator.reverseOrder());
        long params = 0;
        double bitSum = 0;
        for (int i = 0; i < ts.size(); i++) {
            long p = ts.get(i).params();
            int b = ds.get(i).bits();
            long[] acc = byBits.computeIfAbsent(b, k -> new long[2]);
            acc[0]++;
            acc[1] += p;
            params += p;
            bitSum += (double) b * p;
        }
        Map<String, Long> bytes = new LinkedHashMap<>();
        Map<String, Long> active = new LinkedHashMap<>();
        Map<String, Double> eff = new LinkedHashMap<>();
        dev.swan.api.model.ModelConfig config = new dev.swan.api.model.ModelConfig(null,
                m.modelConfig() == null ? Map.of() : m.modelConfig());
        int experts = config.numExperts();
        int perToken = config.expertsPerToken().orElse(experts);
        // a plan that names one format's encodings is written in that format only (the first sizer): another
        // format's forecast of it would be a float model's size
        boolean portable = ds.stream().allMatch(d -> d.encoding() == null || d.encoding().isEmpty());
        for (Map.Entry<String, TensorSizer> e : sizers.entrySet()) {
            if (!portable && !bytes.isEmpty()) break;
            long total = e.getValue().fixedBytes();
            long stored = 0;
            long expertBytes = 0;
            for (int i = 0; i < ts.size(); i++) {
                long b = e.getValue().bytes(ts.get(i), ds.get(i));
                total += b;
                if (dev.swan.toolkit.model.ExpertWeight.parse(ts.get(i).name()).isPresent()) expertBytes += b;
                if (e.getValue().bytes(ts.get(i), 16, 0) > 0) stored += ts.get(i).params();
            }
            bytes.put(e.getKey(), total);
            if (experts > 0 && expertBytes > 0) active.put(e.getKey(), config.perToken(total, expertBytes));
            eff.put(e.getKey(), BitsPerWeight.of(total, stored));
        }
        Map<String, Double> secs = new LinkedHashMap<>();
        for (Map<String, Double> s : m.seconds().values()) s.forEach((k, v) -> secs.merge(k, v, Double::sum));
        return new Summary(params, ts.size(), byBits, bitSum / Math.max(1, params), bytes, eff, secs, m.analysisSeconds(),
                active, experts > 0 ? perToken + " of " + experts + " experts" : "");
    }

    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("total_params", totalParams);
        j.put("tensor_count", tensors);
        Map<String, Object> dist = new LinkedHashMap<>();
        byBits.forEach((b, a) -> dist.put(String.valueOf(b), dev.swan.toolkit.json.Json.object("tensors", a[0], "params", a[1],
                "percentage", Math.round(1e4 * a[1] / (double) Math.max(1, totalParams)) / 100.0)));
        j.put("bits_distribution", dist);
        j.put("nominal_bits", round(nominalBits));
        Map<String, Object> eff = new LinkedHashMap<>();
        effectiveBits.forEach((k, v) -> eff.put(k, round(v)));
        j.put("effective_bits", eff);
        j.put("predicted_bytes", bytesByFormat);
        if (!activeBytesByFormat.isEmpty()) j.put("predicted_active_bytes", activeBytesByFormat);
        Map<String, Object> secs = new LinkedHashMap<>();
        metricSeconds.forEach((k, v) -> secs.put(k, round(v)));
        j.put("metric_seconds", secs);
        j.put("analysis_seconds", round(analysisSeconds));
        return j;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /** The table every command prints after planning, then the allocator's own lines about the plan. */
    public void print(PrintStream out, List<String> allocatorLines) {
        Table t = new Table("BITS>", "TENSORS>", "PARAMS>", "SHARE>");
        byBits.forEach((b, a) -> t.row(b == 16 ? "16 (float)" : String.valueOf(b), a[0], Format.count(a[1]),
                Format.fixed(100.0 * a[1] / Math.max(1, totalParams), 1) + "%"));
        t.print(out);
        StringBuilder sb = new StringBuilder("Average bits/weight: nominal ").append(Format.fixed(nominalBits, 2));
        effectiveBits.forEach((k, v) -> sb.append(", effective ").append(k).append(' ').append(Format.fixed(v, 2)));
        out.println(sb);
        StringBuilder size = new StringBuilder("Predicted size:");
        bytesByFormat.forEach((k, v) -> size.append(' ').append(k).append(' ').append(Format.count(v)).append(" bytes (")
                .append(Format.bytes(v)).append(");"));
        if (!bytesByFormat.isEmpty()) out.println(size.substring(0, size.length() - 1));
        if (!activeBytesByFormat.isEmpty()) {
            StringBuilder a = new StringBuilder("Read per token (" + experts + "):");
            activeBytesByFormat.forEach((k, v) -> a.append(' ').append(k).append(' ').append(Format.bytes(v)).append(';'));
            out.println(a.substring(0, a.length() - 1));
        }
        allocatorLines.forEach(out::println);
        if (analysisSeconds > 0) {
            StringBuilder s = new StringBuilder("Analysis: ").append(Format.duration(analysisSeconds)).append(" (");
            metricSeconds.forEach((k, v) -> s.append(k).append(' ').append(Format.duration(v)).append(", "));
            out.println(metricSeconds.isEmpty() ? "Analysis: " + Format.duration(analysisSeconds)
                    : s.substring(0, s.length() - 2) + " CPU-side)");
        }
    }
}
