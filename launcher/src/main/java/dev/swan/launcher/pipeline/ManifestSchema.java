package dev.swan.launcher.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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

/**
 * The files swan writes, as typed records bound by the launcher's one Jackson mapper ({@link Json}):
 * the manifest ({@value Manifest#SCHEMA}) and the analysis journal's records. The SPI's own records carry
 * no Jackson annotation; these mirror them and convert. Numbers that are not finite are written as null.
 * Absent optional fields (a tensor's layer, skip reason, metrics) are left out, as before this schema.
 */
final class ManifestSchema {
    private ManifestSchema() {
    }

    /** A whole manifest. Plugin-defined parts (settings, parameters, the model's config) stay JSON objects. */
    @JsonPropertyOrder({"schema", "swan_version", "created", "model", "seed", "metrics", "allocator", "policy",
            "plan_settings", "rounding_importance", "tensors", "summary"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Document(String schema, @JsonProperty("swan_version") String swanVersion, String created, Model model,
                    long seed, List<Map<String, Object>> metrics, Map<String, Object> allocator,
                    Map<String, Object> policy, @JsonProperty("plan_settings") Map<String, Object> planSettings,
                    @JsonInclude(Include.NON_NULL) @JsonProperty("rounding_importance") Importance importance,
                    List<Tensor> tensors, Map<String, Object> summary) {
    }

    /** The file beside the manifest holding the importance the writer rounds with, and its SHA-256. */
    @JsonPropertyOrder({"file", "sha256"})
    record Importance(String file, String sha256) {
    }

    @JsonPropertyOrder({"path", "fingerprint", "config"})
    record Model(String path, String fingerprint, Map<String, Object> config) {
    }

    /** What the analysis found for one tensor: a manifest entry's first half, a journal record's body. */
    @JsonPropertyOrder({"name", "dtype", "shape", "params", "class", "layer", "expert", "skip_reason", "metrics"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Analysis(String name, String dtype, long[] shape, long params, @JsonProperty("class") String role,
                    @JsonInclude(Include.NON_NULL) Integer layer, @JsonInclude(Include.NON_NULL) Integer expert,
                    @JsonInclude(Include.NON_NULL) @JsonProperty("skip_reason") String skipReason,
                    @JsonInclude(Include.NON_EMPTY) Map<String, Metric> metrics) {

        static Analysis of(TensorAnalysis t) {
            Map<String, Metric> metrics = new LinkedHashMap<>();
            t.metrics().forEach((id, r) -> metrics.put(id, Metric.of(r)));
            TensorClass c = t.tensorClass();
            return new Analysis(t.name(), t.dtype().name(), t.shape(), t.params(), t.role().label(),
                    c.layer() >= 0 ? c.layer() : null, c.expert() >= 0 ? c.expert() : null, t.skipReason(), metrics);
        }

        TensorAnalysis toAnalysis(String source) {
            try {
                DType type = DType.fromSafetensors(dtype).orElseThrow();
                TensorRole r = TensorRole.valueOf(role.toUpperCase(Locale.ROOT));
                Map<String, MetricResult> results = new LinkedHashMap<>();
                if (metrics != null) metrics.forEach((id, m) -> results.put(id, m.toResult()));
                return new TensorAnalysis(name, type, shape, new TensorClass(r, layer == null ? -1 : layer,
                        expert == null ? -1 : expert), skipReason, results);
            } catch (RuntimeException e) {
                throw new ConfigException(source, 0, 0, "malformed tensor entry " + name + ": " + e);
            }
        }
    }

    @JsonPropertyOrder({"raw", "score", "details"})
    record Metric(Double raw, Double score, @JsonInclude(Include.NON_EMPTY) Map<String, Double> details) {
        static Metric of(MetricResult r) {
            Map<String, Double> d = new LinkedHashMap<>();
            r.details().forEach((k, v) -> d.put(k, finite(v)));
            return new Metric(finite(r.raw()), finite(r.score()), d);
        }

        MetricResult toResult() {
            Map<String, Double> d = new LinkedHashMap<>();
            if (details != null) details.forEach((k, v) -> d.put(k, v == null ? Double.NaN : v));
            return new MetricResult(raw == null ? Double.NaN : raw, score == null ? 0 : score, d);
        }
    }

    /** One manifest entry: the analysis, then the plan's decision for the tensor and the seconds per metric. */
    @JsonPropertyOrder({"name", "dtype", "shape", "params", "class", "layer", "expert", "skip_reason", "metrics",
            "composite", "decision", "seconds"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Tensor(String name, String dtype, long[] shape, long params, @JsonProperty("class") String role,
                  @JsonInclude(Include.NON_NULL) Integer layer, @JsonInclude(Include.NON_NULL) Integer expert,
                  @JsonInclude(Include.NON_NULL) @JsonProperty("skip_reason") String skipReason,
                  @JsonInclude(Include.NON_EMPTY) Map<String, Metric> metrics, Double composite, Decision decision,
                  @JsonInclude(Include.NON_EMPTY) Map<String, Double> seconds) {

        static Tensor of(TensorAnalysis t, TensorDecision d, Map<String, Double> seconds) {
            Analysis a = Analysis.of(t);
            return new Tensor(a.name, a.dtype, a.shape, a.params, a.role, a.layer, a.expert, a.skipReason, a.metrics,
                    finite(d.composite()), Decision.of(d), seconds);
        }

        Analysis analysis() {
            return new Analysis(name, dtype, shape, params, role, layer, expert, skipReason, metrics);
        }

        /** The decision as recorded; a tensor without one (a manifest of analyses only) stays in float. */
        TensorDecision toDecision() {
            if (decision == null) return new TensorDecision(name, TensorDecision.FLOAT_BITS, 0, "none", Double.NaN);
            return new TensorDecision(name, decision.bits, decision.groupSize, decision.reason,
                    composite == null ? Double.NaN : composite, decision.encoding);
        }
    }

    @JsonPropertyOrder({"bits", "group_size", "encoding", "reason"})
    record Decision(int bits, @JsonProperty("group_size") int groupSize, @JsonInclude(Include.NON_EMPTY) String encoding,
                    String reason) {
        static Decision of(TensorDecision d) {
            return new Decision(d.bits(), d.groupSize(), d.encoding(), d.reason());
        }
    }

    /** One journal record (before its checksum): a measured tensor and its seconds per metric. */
    @JsonPropertyOrder({"analysis", "seconds"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    record JournalEntry(Analysis analysis, Map<String, Double> seconds) {
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
