package dev.swan.launcher.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.swan.toolkit.model.ModelFolder;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan inspect}: architecture summary and the tensor table, from headers only. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show a model directory's architecture and every tensor (name, class, dtype, shape, "
                + "parameters, shard) with totals. Reads headers only: instant even for very large models."})
public final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    dev.swan.launcher.SwanCommand root;

    @Parameters(paramLabel = "MODEL_DIR", description = "Hugging Face model directory (config.json + safetensors), hub id, "
            + "or a GGUF file (shown under Hugging Face names).")
    Path modelDir;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        try (dev.swan.launcher.plugins.PluginRegistry plugins = root.plugins();
             ModelDir model = dev.swan.launcher.pipeline.ModelSources.open(modelDir, plugins, true)) {
            if (json) {
                out.println(dev.swan.launcher.pipeline.Json.MAPPER.writeValueAsString(toJson(model)));
            } else {
                printSummary(model, out);
                out.println();
                printTensors(model, out);
            }
        }
        return 0;
    }

    static Map<String, Object> architecture(ModelConfig c) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("architecture", c.architecture());
        a.put("model_type", c.modelType());
        put(a, "hidden_size", c.hiddenSize());
        put(a, "intermediate_size", c.intermediateSize());
        put(a, "num_hidden_layers", c.numLayers());
        put(a, "num_attention_heads", c.numHeads());
        put(a, "num_key_value_heads", c.numKvHeads());
        put(a, "head_dim", c.headDim());
        put(a, "vocab_size", c.vocabSize());
        put(a, "max_position_embeddings", c.maxPositionEmbeddings());
        OptionalDouble theta = c.ropeTheta();
        if (theta.isPresent()) a.put("rope_theta", theta.getAsDouble());
        c.ropeScaling().ifPresent(r -> a.put("rope_scaling", r));
        a.put("tie_word_embeddings", c.tieWordEmbeddings());
        c.torchDtype().ifPresent(d -> a.put("torch_dtype", d.name()));
        if (c.numExperts() > 0) a.put("num_experts", c.numExperts());
        return a;
    }

    /**
     * A mixture-of-experts model's shape: experts per layer (from the weights: expert slices, or the first
     * dimension of stored stacks), experts each token uses (the config's top-k), expert and active
     * parameters (everything else plus the top-k share of the experts).
     */
    record Experts(int perLayer, int perToken, long expertParams, long activeParams) {
        static Experts of(ModelDir model) {
            Map<Integer, java.util.Set<Integer>> byLayer = new TreeMap<>();
            int stacked = 0;
            long expertParams = 0;
            for (TensorInfo t : model.tensors()) {
                TensorClass c = model.classOf(t);
                if (c.expert() >= 0) {
                    byLayer.computeIfAbsent(c.layer(), k -> new java.util.TreeSet<>()).add(c.expert());
                    expertParams += t.numel();
                } else if (c.role() == dev.swan.api.model.TensorRole.EXPERT_STACK && t.shape().length == 3) {
                    stacked = Math.max(stacked, (int) t.shape()[0]);
                    expertParams += t.numel();
                }
            }
            int perLayer = Math.max(stacked, byLayer.values().stream().mapToInt(java.util.Set::size).max().orElse(0));
            if (perLayer == 0) perLayer = model.config().numExperts();
            int perToken = Math.max(0, model.config().expertsPerToken().orElse(0));
            long active = perLayer > 0 && perToken > 0
                    ? dev.swan.api.model.ModelConfig.perToken(model.totalParameters(), expertParams, perLayer, perToken) : 0;
            return new Experts(perLayer, perToken, expertParams, active);
        }
    }

    private static void put(Map<String, Object> m, String k, OptionalInt v) {
        if (v.isPresent()) m.put(k, v.getAsInt());
    }

    /**
     * {@code swan inspect --json}. The architecture is the model config's own optional keys, so it stays an
     * object of those that are present.
     */
    record InspectJson(String model, Map<String, Object> config,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                       ExpertsJson experts, List<TensorJson> tensors, TotalsJson totals) {
    }

    record ExpertsJson(@JsonProperty("per_layer") int perLayer, @JsonProperty("per_token") int perToken,
                       @JsonProperty("expert_params") long expertParams, @JsonProperty("active_params") long activeParams) {
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record TensorJson(String name, @JsonProperty("class") String role, Integer layer, Integer expert, String dtype,
                      long[] shape, long params, long bytes, String shard) {
    }

    record TotalsJson(int tensors, long params, long bytes, int shards) {
    }

    private static InspectJson toJson(ModelDir model) {
        Experts e = Experts.of(model);
        List<TensorJson> tensors = new ArrayList<>();
        for (TensorInfo t : model.tensors()) {
            TensorClass c = model.classOf(t);
            tensors.add(new TensorJson(t.name(), c.role().label(), c.layer() >= 0 ? c.layer() : null,
                    c.expert() >= 0 ? c.expert() : null, t.dtype().name(), t.shape(), t.numel(), t.byteSize(),
                    t.file().getFileName().toString()));
        }
        return new InspectJson(model.location(), architecture(model.config()),
                e.perLayer() > 0 ? new ExpertsJson(e.perLayer(), e.perToken(), e.expertParams(), e.activeParams()) : null,
                tensors, new TotalsJson(tensors.size(), model.totalParameters(), model.totalBytes(), model.shardFiles().size()));
    }

    private static void printSummary(ModelDir model, PrintStream out) {
        ModelConfig c = model.config();
        Map<String, Object> a = architecture(c);
        out.println("Model         " + model.name() + "  (" + model.location() + ")");
        out.println("Architecture  " + (c.architecture().isEmpty() ? "(none given)" : c.architecture())
                + (c.modelType().isEmpty() ? "" : " [" + c.modelType() + "]"));
        out.println("Shape         hidden " + a.getOrDefault("hidden_size", "?") + ", intermediate "
                + a.getOrDefault("intermediate_size", "?") + ", layers " + a.getOrDefault("num_hidden_layers", "?")
                + ", heads " + a.getOrDefault("num_attention_heads", "?") + " (kv " + a.getOrDefault("num_key_value_heads", "?")
                + "), head_dim " + a.getOrDefault("head_dim", "?") + ", vocab " + a.getOrDefault("vocab_size", "?"));
        out.println("Attention     rope_theta " + a.getOrDefault("rope_theta", "?")
                + (a.containsKey("rope_scaling") ? ", rope_scaling " + a.get("rope_scaling") : "")
                + ", max positions " + a.getOrDefault("max_position_embeddings", "?"));
        out.println("Embeddings    " + (c.tieWordEmbeddings() ? "tied" : "untied")
                + (c.tieWordEmbeddings() && model.find("lm_head.weight").isPresent() ? " (lm_head.weight stored anyway)" : ""));
        out.println("Weights       " + model.shardFiles().size() + (model.shardFiles().size() == 1 ? " file, " : " shards, ")
                + model.tensors().size() + " tensors, " + Format.count(model.totalParameters()) + " parameters, "
                + Format.bytes(model.totalBytes()) + ", dtype " + model.dominantFloatType()
                + c.torchDtype().map(d -> " (config: " + d + ")").orElse(""));
        Experts e = Experts.of(model);
        if (e.perLayer() > 0) {
            out.println("Experts       " + e.perLayer() + " per layer" + (e.perToken() > 0 ? ", " + e.perToken() + " per token" : "")
                    + " (" + Format.count(e.expertParams()) + " expert parameters); active per token "
                    + (e.perToken() > 0 ? Format.count(e.activeParams()) + " of " + Format.count(model.totalParameters())
                    : "unknown (no num_experts_per_tok)"));
        }
        out.println("Side files    " + (model.tokenizerFiles().isEmpty() ? "no tokenizer" : model.tokenizerFiles().stream()
                .map(p -> p.getFileName().toString()).reduce((x, y) -> x + ", " + y).orElse(""))
                + (model.generationConfig().isEmpty() ? "" : ", generation_config.json"));
    }

    private static void printTensors(ModelDir model, PrintStream out) {
        Table t = new Table("NAME", "CLASS", "LAYER>", "DTYPE", "SHAPE", "PARAMS>", "SHARD");
        Map<String, long[]> byClass = new TreeMap<>();
        for (TensorInfo ti : model.tensors()) {
            TensorClass c = model.classOf(ti);
            t.row(ti.name(), c.role().label(), c.layer() >= 0 ? c.layer() : "", ti.dtype(), ti.shapeString(),
                    Format.count(ti.numel()), ti.file().getFileName());
            long[] acc = byClass.computeIfAbsent(c.role().label(), k -> new long[2]);
            acc[0]++;
            acc[1] += ti.numel();
        }
        t.print(out);
        out.println();
        Table totals = new Table("CLASS", "TENSORS>", "PARAMS>", "SHARE>");
        long all = model.totalParameters();
        for (Map.Entry<String, long[]> e : byClass.entrySet()) {
            totals.row(e.getKey(), e.getValue()[0], Format.count(e.getValue()[1]),
                    Format.fixed(100.0 * e.getValue()[1] / Math.max(1, all), 1) + "%");
        }
        totals.row("total", model.tensors().size(), Format.count(all), "100.0%");
        totals.print(out);
    }
}
