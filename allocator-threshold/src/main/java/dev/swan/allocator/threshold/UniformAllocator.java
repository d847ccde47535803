package dev.swan.allocator.threshold;

import dev.swan.api.AllocationPlan;
import dev.swan.api.AllocationPolicy;
import dev.swan.api.AllocationRequest;
import dev.swan.api.BitAllocator;
import dev.swan.api.ConfigException;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.SpiVersion;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.model.TensorRole;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline users compare against: every quantizable weight (2-D or stacked, float, row divisible by
 * the group) at the same bits, embeddings and output head included, as {@code mlx_lm.convert -q} does.
 * Metrics are not needed.
 */
public final class UniformAllocator implements BitAllocator {

    @Override
    public String id() {
        return "uniform";
    }

    @Override
    public String description() {
        return "Same bits for every quantizable tensor (the mlx_lm.convert -q / llama-quantize --pure baseline)";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                // ranges, so a pipeline file's value out of them is refused at its line and column
                ParameterSpec.ofInt("bits", 4, "bits for every quantizable tensor").withRange(2, 8),
                ParameterSpec.ofInt("group_size", 64, "group size (mlx_lm.convert's default is 64)").withRange(32, 128),
                ParameterSpec.ofBoolean("quantize_embeddings", true, "also quantize embeddings and the output head"));
    }

    /**
     * A bit width ("4": that width, the default group; "4/32": that width in groups of 32), or every matrix
     * at 8 bits in 32-groups for the format to type.
     */
    @Override
    public java.util.Optional<Map<String, Object>> baseline(String name) {
        // only widths and groups a format stores: "--uniform 7" is no baseline, a usage error like an unknown preset
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,2})(?:/(\\d{1,3}))?").matcher(name);
        if (m.matches() && AllocationPolicy.isWidth(Integer.parseInt(m.group(1)), false)) {
            int bits = Integer.parseInt(m.group(1));
            if (m.group(2) == null) return java.util.Optional.of(Map.of("bits", bits));
            int group = Integer.parseInt(m.group(2));
            if (!AllocationPolicy.GROUP_SIZES.contains(group)) return java.util.Optional.empty();
            return java.util.Optional.of(Map.of("bits", bits, "group_size", group));
        }
        if (name.equals(EVERY_MATRIX)) return java.util.Optional.of(Map.of("bits", 8, "group_size", 32));
        return java.util.Optional.empty();
    }

    @Override
    public boolean usesMetrics() {
        return false;
    }

    @Override
    public void preflight(AllocationRequest request) {
        validate(request.parameters());
    }

    /** Bit widths and group sizes every quantized format here stores (MLX affine, and GGUF through type_N). */
    private static void validate(Parameters p) {
        int bits = p.getInt("bits");
        if (!AllocationPolicy.isWidth(bits, false)) {
            throw new ConfigException("uniform bits must be one of 2, 3, 4, 5, 6, 8; got " + bits);
        }
        int group = p.getInt("group_size");
        if (!AllocationPolicy.GROUP_SIZES.contains(group)) {
            throw new ConfigException("uniform group_size must be 32, 64 or 128; got " + group);
        }
    }

    @Override
    public AllocationPlan allocate(AllocationRequest request, ProgressSink progress) {
        Parameters p = request.parameters();
        validate(p);
        int bits = p.getInt("bits");
        int group = p.getInt("group_size");
        boolean embeddings = p.getBoolean("quantize_embeddings");
        List<TensorDecision> out = new ArrayList<>();
        List<java.util.regex.Pattern> overrides = new ArrayList<>();
        for (AllocationPolicy.Override o : request.policy().overrides()) overrides.add(java.util.regex.Pattern.compile(o.pattern()));
        for (TensorAnalysis t : request.tensors()) {
            TensorRole role = t.role();
            // overrides apply on top of the baseline, as llama-quantize's --tensor-type on top of a preset
            int o = 0;
            while (o < overrides.size() && !overrides.get(o).matcher(t.name()).find()) o++;
            if (o < overrides.size() && t.rank() >= 2) {
                out.add(request.policy().overrides().get(o).decide(t.name(), request.encodings().getOrDefault(t.name(), List.of()),
                        request.policy().groupSizes()));
                continue;
            }
            boolean candidate = t.rank() >= 2 && t.dtype().isFloat() && role != TensorRole.NORM && role != TensorRole.BIAS
                    && (embeddings || (role != TensorRole.EMBEDDING && role != TensorRole.LM_HEAD));
            if (!candidate) {
                out.add(new TensorDecision(t.name(), 16, 0, t.rank() < 2 ? "1d_tensor" : "not_quantized:" + role.label(),
                        Double.NaN));
            } else if (t.cols() % group != 0) {
                out.add(new TensorDecision(t.name(), 16, 0, "row length " + t.cols() + " not divisible by group "
                        + group + ": kept in float", Double.NaN));
            } else {
                out.add(new TensorDecision(t.name(), bits, group, "uniform", Double.NaN));
            }
        }
        long bytes = 0;
        long params = 0;
        for (int i = 0; i < out.size(); i++) {
            TensorAnalysis t = request.tensors().get(i);
            long b = request.sizer().bytes(t, out.get(i).bits(), out.get(i).groupSize());
            bytes += b;
            if (request.sizer().bytes(t, 16, 0) > 0) params += t.params();
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bits", bits);
        settings.put("group_size", group);
        settings.put("planned_bytes", bytes);
        settings.put("effective_bits", Math.round(bytes * 8.0 / Math.max(1, params) * 1e6) / 1e6);
        return new AllocationPlan(id(), settings, out);
    }
}
