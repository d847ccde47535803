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
        List<ManifestSchema.Tensor> tensors = new ArrayList<>();
        List<TensorDecision> ds = m.plan().decisions();
        for (int i = 0; i < m.tensors().size(); i++) {
            TensorAnalysis t = m.tensors().get(i);
            tensors.add(ManifestSchema.Tensor.of(t, ds.get(i), m.seconds().get(t.name())));
        }
        // the importance the writer rounds with travels beside the manifest: a saved plan writes the same bytes
        ManifestSchema.Importance importance = m.inputEnergies().isEmpty() ? null : new ManifestSchema.Importance(
                ImportanceFile.beside(path).getFileName().toString(), ImportanceFile.write(path, m.inputEnergies()));
        ManifestSchema.Document doc = new ManifestSchema.Document(Manifest.SCHEMA, m.swanVersion(), m.created(),
                new ManifestSchema.Model(m.modelPath(), m.fingerprint(), m.modelConfig()), m.seed(), m.metrics(),
                m.allocator(), m.policy(), m.plan().settings(), importance, tensors, summary.toJson());
        AtomicOutput.writeString(path, Json.MAPPER.writeValueAsString(doc) + "\n");
    }

    /** The manifest without the importance beside it (for planning, reports, listings). */
    public static Manifest read(Path path) throws IOException {
        return read(path, false);
    }

    /**
     * The manifest with the importance its writer rounds with, from the file beside it: for writing its plan
     * (or a plan made from it); refused in one line when that file is missing or changed.
     */
    public static Manifest readForWriting(Path path) throws IOException {
        return read(path, true);
    }

    private static Manifest read(Path path, boolean withImportance) throws IOException {
        String src = path.toString();
        ManifestSchema.Document doc;
        try {
            dev.swan.toolkit.io.InputFiles.requireRegular(path);
            Map<String, Object> root = Json.MAPPER.readValue(path.toFile(), Json.MAP);
            if (!Manifest.SCHEMA.equals(root.get("schema"))) {
                throw new ConfigException(src, 0, 0, "not a swan manifest (schema '" + root.get("schema")
                        + "', expected '" + Manifest.SCHEMA + "')");
            }
            doc = Json.MAPPER.convertValue(root, ManifestSchema.Document.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(src, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    e.getLocation() == null ? 0 : e.getLocation().getColumnNr(), "not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(src, 0, 0, "not a readable swan manifest: " + e.getMessage());
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new ConfigException(src, 0, 0, "no such manifest");
        }
        if (doc.model() == null || doc.tensors() == null) {
            throw new ConfigException(src, 0, 0, "not a readable swan manifest: it has no " + (doc.model() == null ? "model" : "tensors"));
        }
        List<TensorAnalysis> tensors = new ArrayList<>();
        List<TensorDecision> decisions = new ArrayList<>();
        Map<String, Map<String, Double>> seconds = new LinkedHashMap<>();
        for (ManifestSchema.Tensor e : doc.tensors()) {
            TensorAnalysis t = e.analysis().toAnalysis(src);
            tensors.add(t);
            decisions.add(e.toDecision());
            seconds.put(t.name(), e.seconds() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(e.seconds()));
        }
        Map<String, Object> allocator = doc.allocator() == null ? Map.of() : doc.allocator();
        AllocationPlan plan = new AllocationPlan((String) allocator.getOrDefault("id", "unknown"),
                doc.planSettings() == null ? Map.of() : doc.planSettings(), decisions);
        Map<String, Object> summary = doc.summary() == null ? Map.of() : doc.summary();
        Object analysisSeconds = summary.get("analysis_seconds");
        Map<String, float[]> importance = doc.importance() == null || !withImportance ? Map.of()
                : ImportanceFile.read(path, String.valueOf(doc.importance().sha256()));
        return new Manifest(doc.swanVersion(), doc.created(), doc.model().path(), doc.model().config(),
                doc.model().fingerprint(), doc.seed(), doc.metrics(), tensors, seconds, allocator, doc.policy(), plan,
                analysisSeconds instanceof Number n ? n.doubleValue() : 0.0, importance);
    }
}
