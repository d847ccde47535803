package dev.swan.format.gguf;

import dev.swan.api.Parameters;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.api.model.ModelConfig;
import java.util.List;
import java.util.Optional;

/**
 * Bytes per tensor exactly as {@link GgufPlan} will store it (the same type choice: the decision's named
 * encoding, else the preset's recipe, else the bits mapping; then the shape fallback), from the config
 * alone.
 */
final class GgufSizer implements TensorSizer {
    private final ModelConfig config;
    private final Parameters p;
    private final Optional<GgufPreset> preset;
    private final GgufArch arch;

    GgufSizer(ModelConfig config, Parameters p) {
        this.config = config;
        this.p = p;
        this.preset = GgufPlan.preset(p);
        this.arch = GgufArch.of(config).orElse(GgufArch.LLAMA);
    }

    @Override
    public long bytes(TensorAnalysis t, int bits, int groupSize) {
        return bytes(t, new TensorDecision(t.name(), bits, groupSize, "", Double.NaN));
    }

    /**
     * The tensor's data as stored: padded to the file's 32-byte alignment; an expert's slice is its share
     * of the stack, which is padded once.
     */
    @Override
    public long bytes(TensorAnalysis t, TensorDecision d) {
        boolean slice = dev.swan.toolkit.model.ExpertWeight.parse(t.name()).filter(x -> !x.isStack()).isPresent();
        return type(t, d).map(type -> slice ? type.rowBytes(t.cols()) * t.rows()
                : GgufLayout.align(type.rowBytes(t.cols()) * t.rows())).orElse(0L);
    }

    /**
     * Everything before the data: magic, metadata with the vocabulary, tensor infos and padding. Built
     * from the model folder the config sits in (the same builder the writer uses); 0 when that folder is
     * not at hand (a manifest from elsewhere).
     */
    @Override
    public long fixedBytes() {
        if (fixed < 0) fixed = header();
        return fixed;
    }

    private long fixed = -1;

    private long header() {
        java.nio.file.Path dir = config.file() == null ? null : config.file().getParent();
        Optional<java.nio.file.Path> gguf = dir == null ? Optional.empty() : GgufSource.sourceOf(dir);
        if (gguf.isPresent()) {
            try (GgufSource model = GgufSource.open(gguf.get(), true)) {
                return header(model);
            } catch (java.io.IOException | RuntimeException e) {
                return 0;
            }
        }
        if (dir == null || !java.nio.file.Files.isRegularFile(dir.resolve(dev.swan.api.model.ModelDir.SINGLE))
                && !java.nio.file.Files.isRegularFile(dir.resolve(dev.swan.api.model.ModelDir.INDEX))) {
            return 0;
        }
        try (dev.swan.api.model.ModelDir model = dev.swan.toolkit.model.ModelFolder.open(dir)) {
            return header(model);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private long header(dev.swan.api.model.ModelDir model) throws java.io.IOException {
        List<GgufPlan.Entry> entries = GgufPlan.build(model, arch, new dev.swan.api.AllocationPlan("size",
                java.util.Map.of(), List.of()), p);
        GgufLayout layout = new GgufLayout();
        layout.kv.putAll(GgufMetadata.build(model, arch, entries));
        GgufMetadata.override(layout.kv, p.getString("override_kv"));
        for (GgufPlan.Entry e : entries) layout.tensors.add(new GgufLayout.Tensor(e.name(), e.ne(), e.type()));
        return layout.header().length;
    }

    /** The stored type, or empty for a tensor the file does not carry. */
    Optional<GgmlType> type(TensorAnalysis t, TensorDecision d) {
        if (GgufArch.dropped(t.name(), config)) return Optional.empty();
        if (GgufArch.keptF32(arch.map(t.name()).orElse(t.name()), t.rank())) return Optional.of(GgmlType.F32);
        // the self-calibrated matrix is not known before measuring: a preset's imatrix rules follow gguf.imatrix
        GgmlType type = GgufPlan.fitted(GgufPlan.wantedType(arch.map(t.name()).orElse(t.name()), t.cols(), t.dtype(), d,
                preset, config, !p.getString("imatrix").isEmpty(), p), t.cols());
        return Optional.of(type);
    }
}
