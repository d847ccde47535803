package dev.swan.format.gguf;

import dev.swan.api.AllocationPlan;
import dev.swan.api.ConfigException;
import dev.swan.api.Encoding;
import dev.swan.api.FormatContext;
import dev.swan.api.OutputException;
import dev.swan.api.OutputFormat;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.Quantizer;
import dev.swan.api.SpiVersion;
import dev.swan.api.StoredModel;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.api.VerifyReport;
import dev.swan.api.WriteReport;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.format.gguf.quant.WeightedQuants;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes one GGUF v3 file that llama.cpp loads, straight from safetensors: per-tensor types from the
 * plan, ggml's exact reference quantizers, architecture and tokenizer metadata (llama, mistral, qwen2,
 * qwen3, and the mixture-of-experts mixtral, qwen2moe and qwen3moe with their experts stacked).
 */
public final class GgufFormat implements OutputFormat {

    @Override
    public String id() {
        return "gguf";
    }

    @Override
    public String description() {
        return "GGUF v3 file for llama.cpp (llama, mistral, mixtral, qwen2, qwen3, qwen2moe, qwen3moe): F32/F16/BF16, "
                + "Q4_0..Q8_0, Q2_K..Q6_K, IQ4_NL, IQ4_XS, IQ3_S, IQ3_XXS, IQ2_S, IQ2_XS, IQ2_XXS, IQ1_M, IQ1_S, TQ1_0, TQ2_0, "
                + "MXFP4";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofString("type_16", "auto", "type for tensors the plan keeps in float: the source's "
                        + "BF16/F16 (auto; F32 sources get F16), or F32, F16, BF16"),
                ParameterSpec.ofString("type_8", "Q8_0", "type for 8-bit decisions"),
                ParameterSpec.ofString("type_6", "Q6_K", "type for 6-bit decisions"),
                ParameterSpec.ofString("type_5", "Q5_K", "type for 5-bit decisions"),
                ParameterSpec.ofString("type_4", "Q4_K", "type for 4-bit decisions"),
                ParameterSpec.ofString("type_3", "Q3_K", "type for 3-bit decisions"),
                ParameterSpec.ofString("type_2", "Q2_K", "type for 2-bit decisions"),
                ParameterSpec.ofString("uniform_type", "", "one type for every quantized decision (the --uniform baseline): "
                        + java.util.Arrays.stream(GgmlType.values()).map(Enum::name).collect(java.util.stream.Collectors.joining(", "))),
                ParameterSpec.ofString("importance", "auto", "column weights of the quantizers: none (ggml's reference "
                        + "quantizers, llama-quantize without --imatrix), ones (ggml's weighted paths, data-free), imatrix "
                        + "(llama-quantize --imatrix: from gguf.imatrix or self-calibration), auto (imatrix when there is "
                        + "one, else ones), llama-quantize (gguf.imatrix when given, else none: what --uniform TYPE and "
                        + "--preset use; the types llama-quantize writes only with a matrix, IQ3_XXS and the 1- and 2-bit "
                        + "grids, then take self-calibration's matrix, else ones)", "auto", "none", "ones", "imatrix", "llama-quantize"),
                ParameterSpec.ofString("imatrix", "", "an importance matrix file of llama.cpp (llama-imatrix output, GGUF or legacy)"),
                ParameterSpec.ofString("save_imatrix", "", "also write the matrix used (e.g. self-calibration's) to this file, "
                        + "in llama.cpp's format"),
                ParameterSpec.ofString("preset", "", "llama-quantize's per-tensor recipe for every quantized decision "
                        + "(the --preset baseline): " + GgufPreset.names()),
                ParameterSpec.ofBoolean("keep_split", false, "llama-quantize's --keep-split: one output file per weight "
                        + "file of the source (a split GGUF's parts), named PREFIX-0000i-of-0000N.gguf"),
                ParameterSpec.ofString("override_kv", "", "llama-quantize's --override-kv: metadata KEY=TYPE:VALUE entries "
                        + "(TYPE int, float, bool or str), separated by ';', written last as llama-quantize writes them"));
    }

    /** llama-quantize's --override-kv and --keep-split. */
    @Override
    public Map<String, String> peerOptions() {
        return Map.of("--override-kv", "override_kv", "--keep-split", "keep_split");
    }

    @Override
    public boolean writesDirectory() {
        return false;
    }

    @Override
    public String defaultOutputName(String modelName) {
        return modelName + "-swan.gguf";
    }

    static GgufArch arch(ModelConfig c) {
        return GgufArch.of(c).orElseThrow(() -> new OutputException(null, c.file() + ": architecture '"
                + c.architecture() + "' (model_type '" + c.modelType() + "') is not supported for GGUF "
                + "(supported: LlamaForCausalLM, MistralForCausalLM, MixtralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, "
                + "Qwen2MoeForCausalLM, Qwen3MoeForCausalLM)"));
    }

    @Override
    public void check(ModelDir model, Parameters p) {
        for (String k : List.of("type_8", "type_6", "type_5", "type_4", "type_3", "type_2")) {
            GgufPlan.parse(p.getString(k), k);
        }
        if (!p.getString("uniform_type").isEmpty()) GgufPlan.parse(p.getString("uniform_type"), "uniform_type");
        GgufPlan.preset(p);
        try {
            GgufImportance.of(p, Map.of(), GgufArch.of(model.config()).orElse(GgufArch.LLAMA)); // a bad mode or file fails now
        } catch (ConfigException e) {
            if (!p.getString("importance").equals("imatrix")) throw e; // the matrix may come from self-calibration
        } catch (IOException e) {
            throw new OutputException(null, p.getString("imatrix") + ": cannot read the imatrix file: " + e.getMessage(), e);
        }
        if (!p.getString("type_16").equals("auto") && !GgufPlan.parse(p.getString("type_16"), "type_16").isFloat()) {
            throw new ConfigException("gguf", 0, 0, "type_16 must be a float type (F32, F16, BF16)");
        }
        GgufArch arch = arch(model.config());
        dev.swan.toolkit.model.DenseShapes.check(model);
        dev.swan.toolkit.model.DenseShapes.requireFloatWeights(model);
        int rows = GgufMetadata.embeddingRows(model);
        int vocab = model.config().vocabSize().orElse(rows);
        if (vocab != rows) {
            throw new OutputException(null, model.config().file() + ": vocab_size " + vocab
                    + " disagrees with model.embed_tokens.weight's " + rows + " rows");
        }
        List<GgufPlan.Entry> entries = GgufPlan.build(model, arch, new AllocationPlan("check", Map.of(), List.of()), p);
        try {
            GgufMetadata.build(model, arch, entries); // tokenizer and hyper-parameters, refused here if unusable
            GgufMetadata.override(new java.util.LinkedHashMap<>(), p.getString("override_kv"));
        } catch (IOException e) {
            throw new OutputException(null, model.path() + ": cannot read tokenizer files: " + e.getMessage(), e);
        }
    }

    @Override
    public TensorSizer sizer(ModelConfig config, Parameters p) {
        return new GgufSizer(config, p);
    }

    @Override
    public WriteReport write(ModelDir model, AllocationPlan plan, Path target, FormatContext ctx) throws IOException {
        GgufArch arch = arch(model.config());
        GgufImportance importance = GgufImportance.of(ctx.parameters(), ctx.inputEnergies(), arch);
        List<GgufPlan.Entry> entries = GgufPlan.build(model, arch, plan, ctx.parameters(), importance);
        Map<String, GgufValue> kv = GgufMetadata.build(model, arch, entries);
        GgufMetadata.override(kv, ctx.parameters().getString("override_kv"));
        String save = ctx.parameters().getString("save_imatrix");
        if (!save.isEmpty() && importance.isImatrix()) {
            GgufImatrix.writeLegacy(Path.of(save), importance.matrix(), 1, "swan self-calibration");
        }
        if (ctx.parameters().getBoolean("keep_split") && model.shardFiles().size() > 1) {
            return GgufSplitWriter.write(model, entries, kv, target, ctx);
        }
        return GgufWriter.write(model, entries, kv, target, ctx);
    }

    @Override
    public boolean recognizes(Path output) {
        if (!Files.isRegularFile(output)) return false;
        try (InputStream in = Files.newInputStream(output)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && m[0] == 'G' && m[1] == 'G' && m[2] == 'U' && m[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public VerifyReport verify(Path output, Optional<ModelDir> source, FormatContext context) throws IOException {
        return GgufVerifier.verify(output, source);
    }

    /**
     * The float type {@code type_16} gives, and for matrices every quantized type whose block divides the
     * row (legacy 32-blocks and 256-wide K-quants); norms and vectors have one encoding (F32), and a tied
     * head none.
     */
    @Override
    public List<Encoding> encodings(TensorAnalysis t, ModelConfig config, Parameters p) {
        GgufSizer size = new GgufSizer(config, p);
        Optional<GgmlType> fixed = size.type(t, new TensorDecision(t.name(), 16, 0, "", Double.NaN));
        if (fixed.isEmpty()) return List.of();
        List<Encoding> out = new ArrayList<>();
        out.add(new Encoding(fixed.get().name(), 16, 0, size.bytes(t, 16, 0), ""));
        if (fixed.get() == GgmlType.F32 && GgufArch.keptF32(GgufArch.of(config).orElse(GgufArch.LLAMA).map(t.name())
                .orElse(t.name()), t.rank())) {
            return out;
        }
        // the source's own float type too, when it is another (an F32 model's F32): what llama-quantize's
        // --leave-output-tensor keeps and --output-tensor-type F32 asks for; a plan never prefers it (no
        // smaller error than the first float, more bytes)
        GgmlType source = GgmlType.parse(t.dtype().name()).filter(GgmlType::isFloat).orElse(GgmlType.F16);
        if (source != fixed.get() && fixed.get().isFloat() && t.rank() >= 2) {
            out.add(new Encoding(source.name(), 16, 0, GgufLayout.align(source.rowBytes(t.cols()) * t.rows()), ""));
        }
        for (GgmlType type : GgmlType.values()) {
            if (type.isFloat() || !type.candidate() || t.cols() % type.blockSize() != 0) continue;
            long bytes = GgufLayout.align(type.rowBytes(t.cols()) * t.rows()); // as stored: padded to 32
            out.add(new Encoding(type.name(), type.nominalBits(), 0, bytes, "gguf:" + type.name(), roundTripCost(type)));
        }
        out.sort(java.util.Comparator.comparingLong(Encoding::bytes));
        return out;
    }

    /** llama-quantize's most used recipe. */
    @Override
    public Optional<String> defaultSizeBaseline() {
        return Optional.of("Q4_K_M");
    }

    /**
     * A ggml type name or, as llama-quantize --pure takes it, a recipe's name standing for its default type
     * (uniform); with {@code recipe}, one of llama-quantize's recipes (Q4_K_M, IQ4_XS, MXFP4_MOE, ...; Q4_0 etc.
     * as recipes too).
     */
    @Override
    public Optional<Map<String, Object>> baseline(String name, boolean recipe) {
        // baselines are llama-quantize's own: its reference quantizers, no importance weighting
        // llama-quantize's F32, F16 and BF16 "recipes" store every matrix in that type: the uniform baseline
        if (GgmlType.parse(name).filter(t -> !recipe || t.isFloat()).isPresent()) {
            return Optional.of(Map.of("uniform_type", GgmlType.parse(name).get().name(), "importance", "llama-quantize"));
        }
        Optional<GgufPreset> preset = GgufPreset.parse(name);
        if (preset.isEmpty()) return Optional.empty();
        if (recipe) return Optional.of(Map.of("preset", preset.get().name(), "importance", "llama-quantize"));
        // a recipe's name without its rules (llama-quantize --pure Q4_K_M, MXFP4_MOE): its default type everywhere
        return Optional.of(Map.of("uniform_type", preset.get().base.name(), "importance", "llama-quantize"));
    }

    /** llama.cpp's name: blk.N.attn_v.weight, token_embd.weight, output.weight; empty for what is not written. */
    @Override
    public Optional<String> storedName(String tensor, ModelConfig config) {
        if (GgufArch.dropped(tensor, config)) return Optional.empty();
        return GgufArch.of(config).flatMap(a -> a.map(tensor));
    }

    @Override
    public Optional<StoredModel> openStored(Path output) throws IOException {
        return Optional.of(GgufStoredModel.open(output));
    }

    @Override
    public Optional<ModelDir> openSource(Path path, boolean allowRequantize) throws IOException {
        return recognizes(path) ? Optional.of(GgufSource.open(path, allowRequantize)) : Optional.empty();
    }

    /** The lattice i-quants' searches cost 10-20 times a K-quant's per weight. */
    private static int roundTripCost(GgmlType type) {
        return GgufImportance.needsImportance(type) || type == GgmlType.IQ3_S ? 8 : 1;
    }

    /** {@code gguf:TYPE}: that ggml type's reference quantizer, for the recon metric. */
    @Override
    public Optional<Quantizer> quantizer(String spec) {
        if (!spec.startsWith("gguf:")) return Optional.empty();
        Optional<GgmlType> t = GgmlType.parse(spec.substring(5));
        return t.map(type -> Quantizer.of(spec, type.blockSize(), roundTripCost(type), (row, out) -> {
            byte[] q = new byte[(int) type.rowBytes(row.length)];
            if (GgufImportance.needsImportance(type)) {
                // as the writer quantizes them without a matrix: every column weighted alike
                float[] ones = new float[row.length];
                java.util.Arrays.fill(ones, 1f);
                WeightedQuants.quantizeRow(type.name(), row, 0, row.length, ones, 0, q, 0);
            } else {
                type.quantizer().quantizeRow(row, 0, row.length, q, 0);
            }
            type.quantizer().dequantizeRow(q, 0, row.length, out, 0);
        }));
    }
}
