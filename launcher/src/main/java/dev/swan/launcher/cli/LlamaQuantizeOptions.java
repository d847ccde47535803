package dev.swan.launcher.cli;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.model.ModelDir;
import dev.swan.launcher.pipeline.PipelineSettings;
import java.util.ArrayList;
import java.util.List;

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
 */
record LlamaQuantizeOptions(String outputType, String embeddingType, boolean leaveOutput, boolean pure) {
    static final String HEAD = "^lm_head\\.weight$";
    static final String EMBEDDING = "^model\\.embed_tokens\\.weight$";

    /** The settings with these options' overrides placed around the user's. */
    static PipelineSettings apply(PipelineSettings s, ModelDir model, LlamaQuantizeOptions o) {
        if (o.outputType == null && o.embeddingType == null && !o.leaveOutput) return s;
        boolean ownHead = model.find("lm_head.weight").isPresent() && !model.config().tieWordEmbeddings();
        List<AllocationPolicy.Override> first = new ArrayList<>();
        if (o.leaveOutput && ownHead) first.add(new AllocationPolicy.Override(HEAD, 16, 0));
        if (o.embeddingType != null) first.add(new AllocationPolicy.Override(EMBEDDING, 0, 0, o.embeddingType));
        if (o.outputType != null && ownHead) first.add(new AllocationPolicy.Override(HEAD, 0, 0, o.outputType));
        AllocationPolicy p = s.policy();
        List<AllocationPolicy.Override> all = new ArrayList<>(first);
        all.addAll(p.overrides());
        if (o.outputType != null && !ownHead && !o.pure) all.add(new AllocationPolicy.Override(EMBEDDING, 0, 0, o.outputType));
        return s.withPolicy(new AllocationPolicy(p.protectedPatterns(), p.sensitivePatterns(), all, p.groupSizes(), p.target()));
    }
}
