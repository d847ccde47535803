package dev.swan.format.mlx;

import dev.swan.api.AllocationPlan;
import dev.swan.api.ConfigException;
import dev.swan.api.Encoding;
import dev.swan.api.FormatContext;
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
import dev.swan.api.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes directories that {@code mlx_lm.load} accepts unchanged: affine-quantized Linear and Embedding
 * weights with per-module bits and group sizes, everything else in the model dtype (mlx-format.md).
 */
public final class MlxFormat implements OutputFormat {
    /** mlx-lm's shard limit: 5 GiB of tensor data. */
    static final long MAX_SHARD_BYTES = 5L << 30;

    @Override
    public String id() {
        return "mlx";
    }

    @Override
    public String description() {
        return "MLX directory for mlx_lm.load: affine 2/3/4/5/6/8-bit, per-module bits and group sizes; mxfp4, nvfp4, mxfp8";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.ofString("dtype", "auto", "dtype of float tensors, scales and biases: the model's "
                        + "(auto), or bfloat16, float16, float32", "auto", "bfloat16", "float16", "float32"),
                ParameterSpec.ofInt("max_shard_mb", (int) (MAX_SHARD_BYTES >> 20), "largest shard, in MiB of tensor data"),
                ParameterSpec.ofString("rounding", "search", "scales and biases: rtn (mlx_lm.convert's own, byte for byte) "
                        + "or search (this project's per-group search for the least squared error; loads in stock mlx_lm)",
                        "rtn", "search"),
                ParameterSpec.ofString("recipe", "", "mlx_lm.convert's mixed recipe for every quantized decision (the "
                        + "--preset baseline, mlx_lm's --quant-predicate): " + String.join(", ", MlxRecipe.names())),
                ParameterSpec.ofString("mode", "affine", "how quantized tensors are stored (mlx_lm.convert --q-mode): affine "
                        + "(bits and group size from the plan), or mxfp4 / nvfp4 / mxfp8 (4-bit E2M1 in groups of 32 with power-of-two "
                        + "scales, groups of 16 with E4M3 scales, 8-bit E4M3 in groups of 32)", "affine", "mxfp4", "nvfp4", "mxfp8"),
                ParameterSpec.ofBoolean("allow_no_tokenizer", false, "write an output for a model without tokenizer files "
                        + "(mlx_lm.load then fails until they are added; verify reports it)"));
    }

    /**
     * Whether these file names hold a tokenizer Hugging Face's AutoTokenizer (and so mlx_lm.load) can build:
     * tokenizer.json, a SentencePiece tokenizer.model, or a byte-level vocab.json with merges.txt.
     */
    static boolean hasTokenizer(java.util.Collection<String> names) {
        return names.contains("tokenizer.json") || names.contains("tokenizer.model")
                || (names.contains("vocab.json") && names.contains("merges.txt"));
    }

    static boolean hasTokenizer(ModelDir model) {
        List<String> names = new java.util.ArrayList<>();
        for (Path p : model.tokenizerFiles()) names.add(p.getFileName().toString());
        return hasTokenizer(names);
    }

    /** A quantized MLX folder, dequantized (mlx_lm.convert -d); a folder without MLX quantization is no MLX source. */
    @Override
    public Optional<ModelDir> openSource(Path path, boolean allowRequantize) throws java.io.IOException {
        if (!Files.isDirectory(path) || !Files.isRegularFile(path.resolve("config.json"))) return Optional.empty();
        return MlxSource.open(path, allowRequantize);
    }

    /** mlx_lm.convert's --dtype and --q-mode. */
    @Override
    public Map<String, String> peerOptions() {
        return Map.of("--dtype", "dtype", "--q-mode", "mode");
    }

    @Override
    public boolean writesDirectory() {
        return true;
    }

    @Override
    public String defaultOutputName(String modelName) {
        return modelName + "-swan-mlx";
    }

    @Override
    public void check(ModelDir model, Parameters parameters) {
        MlxRecipe.of(parameters.getString("recipe"));
        if (parameters.getInt("max_shard_mb") < 1) {
            throw new ConfigException("mlx", 0, 0, "max_shard_mb must be at least 1");
        }
        if (!parameters.getBoolean("allow_no_tokenizer") && !hasTokenizer(model)) {
            throw new dev.swan.api.OutputException(null, model.path() + ": no tokenizer (tokenizer.json, tokenizer.model, "
                    + "or vocab.json with merges.txt), which mlx_lm.load needs: add the model's tokenizer files, or write "
                    + "without one with --set mlx.allow_no_tokenizer=true");
        }
        dev.swan.toolkit.model.DenseShapes.check(model);
        if (model.config().hasTieWordEmbeddings() && !model.config().tieWordEmbeddings() && model.find("lm_head.weight").isEmpty()) {
            throw new dev.swan.api.OutputException(null, model.config().file() + ": tie_word_embeddings is false but the "
                    + "weights have no lm_head.weight: mlx_lm.load would fail (set it to true if the head is the embedding)");
        }
        dev.swan.toolkit.model.DenseShapes.requireFloatWeights(model);
        if (model.config().modelType().equals("qwen2_moe") && model.config().tieWordEmbeddings()) {
            throw new dev.swan.api.OutputException(null, model.config().file() + ": tie_word_embeddings is true, but mlx-lm's "
                    + "qwen2_moe always has its own lm_head: mlx_lm.load would fail");
        }
    }

    /** The dtype scales, biases and float tensors get. */
    static DType floatDtype(ModelConfig config, Parameters p, DType dominant) {
        switch (p.getString("dtype")) {
            case "bfloat16": return DType.BF16;
            case "float16": return DType.F16;
            case "float32": return DType.F32;
            default: return config.torchDtype().orElse(dominant);
        }
    }

    /**
     * Bytes in the weight files: the data (packed codes plus scales and biases in the output dtype, or the
     * float tensor) and the tensor's entries in the safetensors header, with offsets assumed as long as the
     * model's total size makes them; {@link TensorSizer#fixedBytes} adds the header's frame.
     */
    @Override
    public TensorSizer sizer(ModelConfig config, Parameters p) {
        int digits = Long.toString(approximateBytes(config)).length();
        Optional<MlxRecipe> recipe = MlxRecipe.of(p.getString("recipe"));
        int layers = config.numLayers().orElse(0);
        return new TensorSizer() {
            @Override
            public long bytes(TensorAnalysis t, TensorDecision d) {
                TensorDecision r = recipe.map(x -> x.apply(d, layers)).orElse(d);
                MlxMode m = r.encoding().startsWith("mlx:") ? MlxMode.parse(r.encoding().substring(4)).orElse(MlxMode.AFFINE)
                        : mode(p);
                return m.affine() ? bytes(t, r.bits(), r.groupSize()) : microscaled(t, r.bits(), m);
            }

            /** A quantized decision in a microscaling mode: uint32 codes and one uint8 scale per group. */
            private long microscaled(TensorAnalysis t, int bits, MlxMode m) {
                if (MlxModules.dropped(t.name(), config)) return 0;
                boolean q = bits < 16 && MlxModules.quantizable(t.name(), t.rank()) && t.cols() % m.group == 0 && t.dtype().isFloat();
                if (!q) return affine(t, 16, 0);
                long[] packed = t.shape();
                packed[packed.length - 1] = t.cols() * m.bits / 32;
                long[] scales = t.shape();
                scales[scales.length - 1] = t.cols() / m.group;
                return t.params() * m.bits / 8 + t.rows() * (t.cols() / m.group)
                        + entry(t.name(), DType.U32, packed, digits) + entry(MlxModules.modulePath(t.name()) + ".scales", DType.U8, scales, digits);
            }

            @Override
            public long bytes(TensorAnalysis t, int bits, int group) {
                return mode(p).affine() ? affine(t, bits, group) : microscaled(t, bits, mode(p));
            }

            private long affine(TensorAnalysis t, int bits, int group) {
                if (MlxModules.dropped(t.name(), config)) return 0;
                DType fd = floatDtype(config, p, t.dtype());
                boolean auto = p.getString("dtype").equals("auto");
                boolean q = bits < 16 && MlxModules.quantizable(t.name(), t.rank()) && MlxModules.BITS.contains(bits)
                        && MlxModules.GROUPS.contains(group) && t.cols() % group == 0 && t.dtype().isFloat();
                if (!q) {
                    DType d = auto || !t.dtype().isFloat() ? t.dtype() : fd;
                    return t.params() * d.size() + entry(t.name(), d, t.shape(), digits);
                }
                long[] packed = t.shape();
                packed[packed.length - 1] = t.cols() * bits / 32;
                long[] scales = t.shape();
                scales[scales.length - 1] = t.cols() / group;
                String path = MlxModules.modulePath(t.name());
                return t.params() * bits / 8 + 2L * t.rows() * (t.cols() / group) * fd.size()
                        + entry(t.name(), DType.U32, packed, digits) + entry(path + ".scales", fd, scales, digits)
                        + entry(path + ".biases", fd, scales, digits);
            }

            @Override
            public long fixedBytes() {
                // the length prefix, the braces and {"__metadata__":{"format":"mlx"}}, half the padding to 8
                return 8 + 2 + "\"__metadata__\":{\"format\":\"mlx\"}".length() + 4;
            }
        };
    }

    /** One header entry: "NAME":{"dtype":"D","shape":[..],"data_offsets":[a,b]}, with both offsets {@code digits} long. */
    private static long entry(String name, DType dtype, long[] shape, int digits) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ",").append(shape[i]);
        return name.length() + dtype.safetensorsName().length() + dims.length() + 2L * digits
                + "\"\":{\"dtype\":\"\",\"shape\":[],\"data_offsets\":[,]},".length();
    }

    /** A rough size of the weights (a 5-bit model of the config's shape), for the length of header offsets. */
    private static long approximateBytes(ModelConfig c) {
        long h = c.hiddenSize().orElse(4096);
        long layers = c.numLayers().orElse(32);
        long inter = c.intermediateSize().orElse(4 * (int) h);
        long vocab = c.vocabSize().orElse(32000);
        long params = layers * (4 * h * h + 3 * h * inter) + 2 * vocab * h;
        return Math.max(1, params * 5 / 8 / 2);
    }

    @Override
    public WriteReport write(ModelDir model, AllocationPlan plan, Path target, FormatContext ctx) throws IOException {
        Parameters p = ctx.parameters();
        DType fd = floatDtype(model.config(), p, model.dominantFloatType());
        Optional<MlxRecipe> recipe = MlxRecipe.of(p.getString("recipe"));
        if (recipe.isPresent()) plan = recipe.get().apply(plan, model.config().numLayers().orElse(0));
        return new MlxWriter(model, plan, ctx, fd, p.getString("dtype").equals("auto"),
                (long) p.getInt("max_shard_mb") << 20, p.getString("rounding").equals("search"), mode(p)).write(target);
    }

    static MlxMode mode(Parameters p) {
        return MlxMode.parse(p.getString("mode")).orElse(MlxMode.AFFINE);
    }

    @Override
    public boolean recognizes(Path output) {
        if (!Files.isDirectory(output) || !Files.exists(output.resolve("config.json"))) return false;
        try (var files = Files.newDirectoryStream(output, "model*.safetensors")) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public VerifyReport verify(Path output, Optional<ModelDir> source, FormatContext context) throws IOException {
        return MlxVerifier.verify(output, source);
    }

    /**
     * Float (the output dtype), and for Linear and Embedding weights every affine mode whose group divides
     * the row: bits 2, 3, 4, 5, 6, 8 × groups 32, 64, 128, named {@code mlx:BITS:GROUP} like their quantizers,
     * and mxfp4, nvfp4, mxfp8 ({@code mlx:MODE}); with {@code mode} set, that mode alone.
     */
    @Override
    public List<Encoding> encodings(TensorAnalysis t, ModelConfig config, Parameters p) {
        if (MlxModules.dropped(t.name(), config)) return List.of();
        TensorSizer size = sizer(config, p);
        List<Encoding> out = new ArrayList<>();
        out.add(new Encoding(floatDtype(config, p, t.dtype()).name(), 16, 0, size.bytes(t, 16, 0), ""));
        // MoE routers and shared-expert gates: float only (a few KB that decide where every token goes)
        MlxMode m = mode(p);
        if (!m.affine() && MlxModules.quantizable(t.name(), t.rank()) && t.dtype().isFloat()
                && t.role() != dev.swan.api.model.TensorRole.ROUTER && t.cols() % m.group == 0) {
            // mlx_lm.convert --q-mode: one quantized form, the mode's
            String id = "mlx:" + m.id();
            out.add(new Encoding(id, m.bits, m.group, size.bytes(t, new TensorDecision(t.name(), m.bits, m.group, "", Double.NaN, id)), id));
        } else if (m.affine() && MlxModules.quantizable(t.name(), t.rank()) && t.dtype().isFloat()
                && t.role() != dev.swan.api.model.TensorRole.ROUTER) {
            for (int bits : dev.swan.api.AllocationPolicy.WIDTHS) {
                for (int g : dev.swan.api.AllocationPolicy.GROUP_SIZES) {
                    if (t.cols() % g != 0) continue;
                    String id = "mlx:" + bits + ":" + g;
                    String q = p.getString("rounding").equals("search") ? id + ":search" : id;
                    out.add(new Encoding(id, bits, g, size.bytes(t, bits, g), q));
                }
            }
            // the floating-point modes beside affine, module by module (chosen by measurement: lower KL divergence
            // in all six shared-model rows at uniform 4- and 3-bit sizes, mean over three seeds)
            for (MlxMode fp : List.of(MlxMode.MXFP4, MlxMode.NVFP4, MlxMode.MXFP8)) {
                if (t.cols() % fp.group != 0) continue;
                String id = "mlx:" + fp.id();
                out.add(new Encoding(id, fp.bits, fp.group, size.bytes(t, new TensorDecision(t.name(), fp.bits, fp.group, "",
                        Double.NaN, id)), id));
            }
        }
        out.sort(java.util.Comparator.comparingLong(Encoding::bytes));
        return out;
    }

    /** Empty for a directory with no {@code quantization} entry in its config (a plain Hugging Face layout). */
    @Override
    public Optional<StoredModel> openStored(Path output) throws IOException {
        return MlxStoredModel.open(output);
    }

    /** mlx_lm.convert -q: 4 bits, group 64. */
    @Override
    public Optional<String> defaultSizeBaseline() {
        return Optional.of("4");
    }

    /**
     * Digits name mlx_lm.convert's uniform baseline, a recipe name ({@code mixed_3_6} ...) its mixed
     * recipe: its own rounding, byte for byte.
     */
    @Override
    public Optional<java.util.Map<String, Object>> baseline(String name, boolean recipe) {
        if (!recipe && name.matches("\\d+")) return Optional.of(java.util.Map.of("rounding", "rtn"));
        // mlx_lm.convert -q --q-mode mxfp4: every quantizable weight in that mode
        if (!recipe && MlxMode.parse(name).filter(m -> !m.affine()).isPresent()) return Optional.of(java.util.Map.of("mode", name));
        return MlxRecipe.parse(name).map(r -> java.util.Map.of("recipe", r.name(), "rounding", "rtn"));
    }

    /**
     * {@code mlx:BITS:GROUP}: MLX's affine quantizer with bf16 scales and biases, for the recon metric;
     * {@code mlx:BITS:GROUP:search} with the searched scales and biases the writer uses by default.
     */
    @Override
    public Optional<Quantizer> quantizer(String spec) {
        String[] parts = spec.split(":");
        if (parts.length == 2 && parts[0].equals("mlx")) {
            Optional<MlxMode> m = MlxMode.parse(parts[1]).filter(x -> !x.affine());
            return m.map(mode -> Quantizer.of(spec, mode.group, (row, out) -> {
                byte[] codes = new byte[(int) mode.codeBytes(row.length)];
                byte[] scales = new byte[row.length / mode.group];
                mode.quantizeRow(row, 0, row.length, codes, 0, scales, 0);
                mode.dequantizeRow(codes, 0, scales, 0, row.length, out, 0);
            }));
        }
        if ((parts.length != 3 && !(parts.length == 4 && parts[3].equals("search"))) || !parts[0].equals("mlx")) {
            return Optional.empty();
        }
        boolean search = parts.length == 4;
        int bits;
        int group;
        try {
            bits = Integer.parseInt(parts[1]);
            group = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (!MlxModules.BITS.contains(bits) || !MlxModules.GROUPS.contains(group)) return Optional.empty();
        return Optional.of(Quantizer.of(spec, group, (row, out) -> {
            int groups = row.length / group;
            int[] codes = new int[row.length];
            float[] s = new float[groups];
            float[] b = new float[groups];
            if (search) AffineQuantizer.quantizeSearched(row, 0, group, groups, bits, DType.BF16, codes, s, b, 0);
            else AffineQuantizer.quantize(row, 0, group, groups, bits, DType.BF16, codes, s, b, 0);
            for (int i = 0; i < row.length; i++) out[i] = AffineQuantizer.dequantize(codes[i], s[i / group], b[i / group]);
        }));
    }
}
