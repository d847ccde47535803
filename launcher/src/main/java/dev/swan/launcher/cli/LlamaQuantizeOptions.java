package dev.swan.launcher.cli;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.ConfigException;
import dev.swan.api.OutputFormat;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.pipeline.PipelineSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * llama-quantize's options for the head and the embedding, as per-tensor overrides in llama.cpp's order of
 * precedence: --leave-output-tensor (the head is not quantized at all), --token-embedding-type, then
 * --output-tensor-type, all before the user's own --override (llama-quantize's --tensor-type); a tied
 * model has no head of its own, and its embedding takes --output-tensor-type only where nothing above
 * decided it and the recipe runs (not with --pure).
 *
 * @param outputType    --output-tensor-type, or null
 * @param embeddingType --token-embedding-type, or null
 * @param leaveOutput   --leave-output-tensor
 * @param pure          --pure
 * @param tensorTypes   --tensor-type NAME_REGEX=TYPE (and --tensor-type-file's entries), in the order given:
 *                      the regular expression, lower-cased as llama-quantize does, is searched in the name the
 *                      output format gives each tensor (GGUF: blk.0.attn_v.weight)
 */
record LlamaQuantizeOptions(String outputType, String embeddingType, boolean leaveOutput, boolean pure,
                            List<String> tensorTypes) {
    static final String HEAD = "^lm_head\\.weight$";
    static final String EMBEDDING = "^model\\.embed_tokens\\.weight$";

    LlamaQuantizeOptions {
        tensorTypes = List.copyOf(tensorTypes);
    }

    /** The settings with these options' overrides placed around the user's. */
    static PipelineSettings apply(PipelineSettings s, ModelDir model, OutputFormat format, LlamaQuantizeOptions o) {
        if (o.outputType == null && o.embeddingType == null && !o.leaveOutput && o.tensorTypes.isEmpty()) return s;
        boolean ownHead = model.find("lm_head.weight").isPresent() && !model.config().tieWordEmbeddings();
        List<AllocationPolicy.Override> first = new ArrayList<>();
        if (o.leaveOutput && ownHead) {
            // the head as the source stores it (llama-quantize leaves output.weight in its input's type)
            String stored = model.find("lm_head.weight").get().dtype().name();
            first.add(new AllocationPolicy.Override(HEAD, 0, 0, stored));
        }
        if (o.embeddingType != null) first.add(new AllocationPolicy.Override(EMBEDDING, 0, 0, o.embeddingType));
        if (o.outputType != null && ownHead) first.add(new AllocationPolicy.Override(HEAD, 0, 0, o.outputType));
        AllocationPolicy p = s.policy();
        List<AllocationPolicy.Override> all = new ArrayList<>(first);
        all.addAll(p.overrides());
        all.addAll(tensorTypes(o.tensorTypes, model, format));
        if (o.outputType != null && !ownHead && !o.pure) all.add(new AllocationPolicy.Override(EMBEDDING, 0, 0, o.outputType));
        return s.withPolicy(new AllocationPolicy(p.protectedPatterns(), p.sensitivePatterns(), all, p.groupSizes(), p.target()));
    }

    /**
     * One override per tensor a --tensor-type entry names (the first entry that names it, as llama-quantize
     * takes the first pattern that matches), by the tensor's name in the output.
     */
    private static List<AllocationPolicy.Override> tensorTypes(List<String> entries, ModelDir model, OutputFormat format) {
        List<AllocationPolicy.Override> out = new ArrayList<>();
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new ConfigException("command line", 0, 0, "--tensor-type " + entry + ": give NAME_REGEX=TYPE, e.g. attn_v=q8_0");
            }
            String regex = entry.substring(0, eq).toLowerCase(java.util.Locale.ROOT);
            String type = entry.substring(eq + 1);
            Pattern p;
            try {
                p = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new ConfigException("command line", 0, 0, "--tensor-type " + entry + ": not a regular expression ("
                        + e.getDescription() + ")");
            }
            for (TensorInfo t : model.tensors()) {
                java.util.Optional<String> stored = format == null ? java.util.Optional.of(t.name())
                        : format.storedName(t.name(), model.config());
                if (stored.isEmpty() || !p.matcher(stored.get()).find() || !named.add(t.name())) continue;
                out.add(new AllocationPolicy.Override("^" + Pattern.quote(t.name()) + "$", 0, 0, type));
            }
        }
        return out;
    }

    /** --tensor-type-file: entries separated by spaces or newlines, as llama-quantize reads the file. */
    static List<String> readTensorTypeFile(java.nio.file.Path file) throws java.io.IOException {
        String text = dev.swan.toolkit.io.InputFiles.readText(file, 16L << 20);
        List<String> out = new ArrayList<>();
        for (String word : text.split("\\s+")) if (!word.isEmpty()) out.add(word);
        return out;
    }
}
