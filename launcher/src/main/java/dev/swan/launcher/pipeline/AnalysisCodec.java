package dev.swan.launcher.pipeline;

import dev.swan.api.ConfigException;
import dev.swan.api.MetricResult;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.model.TensorClass;
import dev.swan.api.model.TensorRole;
import dev.swan.api.tensor.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Converts analyses and decisions to and from the JSON maps of manifests and journals. NaN is written as null. */
final class AnalysisCodec {
    private AnalysisCodec() {
    }

    static Map<String, Object> encode(TensorAnalysis t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("dtype", t.dtype().name());
        m.put("shape", t.shape());
        m.put("params", t.params());
        m.put("class", t.role().label());
        if (t.tensorClass().layer() >= 0) m.put("layer", t.tensorClass().layer());
        if (t.tensorClass().expert() >= 0) m.put("expert", t.tensorClass().expert());
        if (t.skipReason() != null) m.put("skip_reason", t.skipReason());
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, MetricResult> e : t.metrics().entrySet()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("raw", num(e.getValue().raw()));
            r.put("score", num(e.getValue().score()));
            if (!e.getValue().details().isEmpty()) {
                Map<String, Object> d = new LinkedHashMap<>();
                e.getValue().details().forEach((k, v) -> d.put(k, num(v)));
                r.put("details", d);
            }
            metrics.put(e.getKey(), r);
        }
        if (!metrics.isEmpty()) m.put("metrics", metrics);
        return m;
    }

    static Map<String, Object> encode(TensorDecision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bits", d.bits());
        m.put("group_size", d.groupSize());
        if (!d.encoding().isEmpty()) m.put("encoding", d.encoding());
        m.put("reason", d.reason());
        return m;
    }

    static Object num(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }

    static double dbl(Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    static TensorAnalysis decodeAnalysis(Map<String, Object> m, String source) {
        try {
            String name = (String) m.get("name");
            DType dtype = DType.fromSafetensors((String) m.get("dtype")).orElseThrow();
            List<Number> sh = (List<Number>) m.get("shape");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = sh.get(i).longValue();
            TensorRole role = TensorRole.valueOf(((String) m.get("class")).toUpperCase(Locale.ROOT));
            int layer = m.get("layer") instanceof Number ? ((Number) m.get("layer")).intValue() : -1;
            int expert = m.get("expert") instanceof Number ? ((Number) m.get("expert")).intValue() : -1;
            Map<String, MetricResult> metrics = new LinkedHashMap<>();
            Map<String, Object> mm = (Map<String, Object>) m.getOrDefault("metrics", Map.of());
            for (Map.Entry<String, Object> e : mm.entrySet()) {
                Map<String, Object> r = (Map<String, Object>) e.getValue();
                Map<String, Double> details = new LinkedHashMap<>();
                ((Map<String, Object>) r.getOrDefault("details", Map.of())).forEach((k, v) -> details.put(k, dbl(v)));
                double score = dbl(r.get("score"));
                metrics.put(e.getKey(), new MetricResult(dbl(r.get("raw")), Double.isNaN(score) ? 0 : score, details));
            }
            return new TensorAnalysis(name, dtype, shape, new TensorClass(role, layer, expert),
                    (String) m.get("skip_reason"), metrics);
        } catch (RuntimeException e) {
            throw new ConfigException(source, 0, 0, "malformed tensor entry " + m.get("name") + ": " + e);
        }
    }

    static TensorDecision decodeDecision(String name, Map<?, ?> d, double composite) {
        return new TensorDecision(name, ((Number) d.get("bits")).intValue(), ((Number) d.get("group_size")).intValue(),
                (String) d.get("reason"), composite, d.get("encoding") instanceof String e ? e : "");
    }
}
