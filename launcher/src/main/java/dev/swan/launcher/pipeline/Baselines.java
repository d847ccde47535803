package dev.swan.launcher.pipeline;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.AnalysisShape;
import dev.swan.api.BitAllocator;
import dev.swan.api.OutputFormat;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Baselines: a format's named plans ({@code --uniform 4}, {@code --uniform Q4_0}, {@code --preset Q4_K_M}),
 * made by the uniform allocator with the options the format gives for the name; and the default size
 * target, which is the size of the format's {@link OutputFormat#defaultSizeBaseline} for this model.
 */
public final class Baselines {
    private Baselines() {
    }

    /**
     * The settings planned as baseline {@code name} of their format: digits are bits for the uniform
     * allocator ({@code 4/32}: in groups of 32) (plus the format's options for that baseline, e.g. MLX's own rounding); other names the
     * format's options with every quantizable tensor planned as quantized; empty when the format has no
     * baseline of that name.
     */
    public static Optional<PipelineSettings> apply(PipelineSettings s, String name, boolean recipe, PluginRegistry plugins) {
        OutputFormat f = plugins.format(s.format());
        Map<String, Object> ap = new LinkedHashMap<>();
        Map<String, Object> fo = new LinkedHashMap<>(s.formatOptions());
        BitAllocator uniform = plugins.allocator("uniform");
        if (!recipe && name.matches("\\d+(/\\d+)?")) {
            Optional<Map<String, Object>> width = uniform.baseline(name);
            if (width.isEmpty()) return Optional.empty();
            ap.putAll(width.get());
            f.baseline(name.replaceAll("/.*", ""), false).ifPresent(o -> o.forEach(fo::putIfAbsent));
            return Optional.of(s.withAllocator("uniform", ap).withFormat(s.format(), fo));
        }
        Optional<Map<String, Object>> options = f.baseline(name, recipe);
        if (options.isEmpty()) return Optional.empty();
        options.get().forEach(fo::putIfAbsent); // what the user set explicitly (an imatrix, say) stays
        ap.putAll(uniform.baseline(BitAllocator.EVERY_MATRIX).orElseThrow()); // the format picks each matrix's type
        return Optional.of(s.withAllocator("uniform", ap).withFormat(s.format(), fo));
    }

    /** Why {@code name} is no baseline of the settings' format, naming the formats that have it. */
    public static String unknown(PipelineSettings s, String name, boolean recipe, PluginRegistry plugins) {
        List<String> others = new ArrayList<>();
        for (LoadedPlugin<OutputFormat> f : plugins.formats()) {
            if (f.plugin().baseline(name, recipe).isPresent()) others.add(f.id());
        }
        List<String> widths = new ArrayList<>();
        for (int b = 1; b <= 16; b++) if (AllocationPolicy.isWidth(b, false)) widths.add(Integer.toString(b));
        return (recipe ? "--preset " : "--uniform ") + name + ": format '" + s.format() + "' has no such baseline"
                + (others.isEmpty() ? "" : " (" + String.join(", ", others) + " has: add -f " + others.get(0) + ")")
                + (!recipe && name.matches("\\d+(/\\d+)?") ? " (bit widths: " + String.join(", ", widths)
                + ", optionally /GROUP: /32, /64, /128)" : "");
    }

    /**
     * With no target and no allocator chosen, a target of the size the format's default baseline has for
     * this model (the plan must beat it at equal size); the settings unchanged otherwise.
     */
    public static PipelineSettings withDefaultTarget(PipelineSettings s, PluginRegistry plugins, ModelDir model) {
        List<TensorAnalysis> shapes = new ArrayList<>();
        for (TensorInfo t : model.tensors()) {
            AnalysisShape shape = AnalysisShape.of(t);
            shapes.add(new TensorAnalysis(t.name(), t.dtype(), t.shape(), model.classOf(t),
                    shape.analysed() ? null : shape.skipReason(), Map.of()));
        }
        return withDefaultTarget(s, plugins, shapes, model.config());
    }

    /** As above for a model known by its tensors' shapes and config (a manifest's). */
    public static PipelineSettings withDefaultTarget(PipelineSettings s, PluginRegistry plugins, List<TensorAnalysis> shapes,
                                                     dev.swan.api.model.ModelConfig config) {
        if (s.policy().target() != null || !PipelineSettings.AUTO_ALLOCATOR.equals(s.allocator())
                || !plugins.hasFormat(s.format())) {
            return s;
        }
        OutputFormat f = plugins.format(s.format());
        Optional<String> name = f.defaultSizeBaseline();
        if (name.isEmpty()) return s;
        PipelineSettings plain = s.withPolicy(AllocationPolicy.defaults());
        Optional<PipelineSettings> b = apply(plain, name.get(), true, plugins).or(() -> apply(plain, name.get(), false, plugins));
        if (b.isEmpty()) return s;
        ResolvedPipeline rp = ResolvedPipeline.resolve(b.get(), plugins, false, true);
        TensorSizer sizer = rp.format().sizer(config, rp.formatParameters());
        AllocationPlan plan = rp.allocator().allocate(new AllocationRequest(shapes, Map.of(), AllocationPolicy.defaults(),
                rp.allocatorParameters(), sizer), ProgressSink.NONE);
        long bytes = sizer.fixedBytes();
        for (int i = 0; i < shapes.size(); i++) {
            TensorDecision d = plan.decisions().get(i);
            bytes += sizer.bytes(shapes.get(i), d);
        }
        return s.withPolicy(s.policy().withTarget(AllocationPolicy.Target.size(bytes)))
                .withTargetOrigin(new SettingOrigin("the default target (the size of " + f.id() + "'s " + name.get()
                        + " baseline)", 0, 0));
    }
}
