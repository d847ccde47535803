package dev.swan.launcher.pipeline;

import dev.swan.api.AllocationPlan;
import dev.swan.api.ConfigException;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes manifests ({@value Manifest#SCHEMA}); writes go through a temporary sibling. */
public final class ManifestIO {
    private ManifestIO() {
    }

    public static void write(Path path, Manifest m, Summary summary) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", Manifest.SCHEMA);
        root.put("swan_version", m.swanVersion());
        root.put("created", m.created());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("path", m.modelPath());
        model.put("fingerprint", m.fingerprint());
        model.put("config", m.modelConfig());
        root.put("model", model);
        root.put("seed", m.seed());
        root.put("metrics", m.metrics());
        root.put("allocator", m.allocator());
        root.put("policy", m.policy());
        root.put("plan_settings", m.plan().settings());
        List<Map<String, Object>> tensors = new ArrayList<>();
        List<TensorDecision> ds = m.plan().decisions();
        for (int i = 0; i < m.tensors().size(); i++) {
            TensorAnalysis t = m.tensors().get(i);
            Map<String, Object> e = AnalysisCodec.encode(t);
            e.put("composite", AnalysisCodec.num(ds.get(i).composite()));
            e.put("decision", AnalysisCodec.encode(ds.get(i)));
            Map<String, Double> secs = m.seconds().get(t.name());
            if (secs != null && !secs.isEmpty()) e.put("seconds", secs);
            tensors.add(e);
        }
        root.put("tensors", tensors);
        root.put("summary", summary.toJson());
        AtomicOutput.writeString(path, Json.MAPPER.writeValueAsString(root) + "\n");
    }

    @SuppressWarnings("unchecked")
    public static Manifest read(Path path) throws IOException {
        Map<String, Object> root;
        try {
            dev.swan.toolkit.io.InputFiles.requireRegular(path);
            root = Json.MAPPER.readValue(path.toFile(), Json.MAP);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(path.toString(), e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    e.getLocation() == null ? 0 : e.getLocation().getColumnNr(), "not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new ConfigException(path.toString(), 0, 0, "no such manifest");
        }
        if (!Manifest.SCHEMA.equals(root.get("schema"))) {
            throw new ConfigException(path.toString(), 0, 0, "not a swan manifest (schema '" + root.get("schema")
                    + "', expected '" + Manifest.SCHEMA + "')");
        }
        String src = path.toString();
        Map<String, Object> model = (Map<String, Object>) root.get("model");
        List<TensorAnalysis> tensors = new ArrayList<>();
        List<TensorDecision> decisions = new ArrayList<>();
        Map<String, Map<String, Double>> seconds = new LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) root.get("tensors")) {
            TensorAnalysis t = AnalysisCodec.decodeAnalysis(e, src);
            tensors.add(t);
            Map<String, Object> d = (Map<String, Object>) e.get("decision");
            decisions.add(d == null ? new TensorDecision(t.name(), 16, 0, "none", Double.NaN)
                    : AnalysisCodec.decodeDecision(t.name(), d, AnalysisCodec.dbl(e.get("composite"))));
            Map<String, Double> s = new LinkedHashMap<>();
            ((Map<String, Object>) e.getOrDefault("seconds", Map.of())).forEach((k, v) -> s.put(k, ((Number) v).doubleValue()));
            seconds.put(t.name(), s);
        }
        Map<String, Object> allocator = (Map<String, Object>) root.getOrDefault("allocator", Map.of());
        AllocationPlan plan = new AllocationPlan((String) allocator.getOrDefault("id", "unknown"),
                (Map<String, Object>) root.getOrDefault("plan_settings", Map.of()), decisions);
        Map<String, Object> summary = (Map<String, Object>) root.getOrDefault("summary", Map.of());
        return new Manifest((String) root.get("swan_version"), (String) root.get("created"), (String) model.get("path"),
                (Map<String, Object>) model.get("config"), (String) model.get("fingerprint"),
                ((Number) root.get("seed")).longValue(), (List<Map<String, Object>>) root.get("metrics"), tensors, seconds,
                allocator, (Map<String, Object>) root.get("policy"), plan,
                AnalysisCodec.dbl(summary.getOrDefault("analysis_seconds", 0.0)), Map.of());
    }
}
