package dev.swan.launcher.cli;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.ConfigException;
import dev.swan.launcher.config.PipelineYaml;
import dev.swan.launcher.pipeline.MetricChoice;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.SettingOrigin;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Format;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that shape an analysis and its plan, shared by analyze, allocate, quantize and run. They
 * are applied on top of a pipeline file ({@code --config}), which is applied on top of the defaults.
 */
public final class PlanOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "PIPELINE.yaml",
            description = "Pipeline file (see 'swan config --example'); options given here override it.")
    Path config;

    @Option(names = "--metrics", paramLabel = "ID=WEIGHT[,ID=WEIGHT...]", split = ",", hideParamSyntax = true,
            description = "Metrics to measure and their weights in the composite score (summing to 1), which the threshold "
                    + "allocator plans from and the report shows. Default: only what the plan reads (rd: each encoding's "
                    + "error and the self-calibrated sensitivity); with --allocator threshold, the SWAN paper's "
                    + "svd=0.20,kurtosis=0.45,noise=0.15,recon=0.20.")
    Map<String, Double> metrics;

    @Option(names = "--set", paramLabel = "PLUGIN.PARAM=VALUE", hideParamSyntax = true,
            description = "Set a plugin parameter, e.g. svd.rank=128, threshold.t8=0.6, threshold.enable_2bit=true (repeatable; see 'swan plugins -v').")
    Map<String, String> sets = new LinkedHashMap<>();

    @Option(names = "--allocator", paramLabel = "ID", description = "Bit allocator: rd (the default: least predicted damage "
            + "within the size target), threshold (the SWAN paper's thresholds, a target optional), uniform (the baselines).")
    String allocator;

    /** A size target: in bits per weight or in bytes, one of the two. */
    static final class TargetOptions {
        @Option(names = "--target-bits", paramLabel = "BITS",
                description = "Size target in average bits per stored weight (scales, headers and float tensors included). "
                        + "Default: the size of the format's usual baseline (MLX 4-bit, llama.cpp Q4_K_M).")
        Double bits;

        @Option(names = "--target-size", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
                description = "Size target for the whole output, e.g. 6.1GB or 900MiB (default: as --target-bits).")
        Long size;
    }

    @picocli.CommandLine.ArgGroup(exclusive = true)
    TargetOptions target;

    @Option(names = "--protect", paramLabel = "REGEX", description = "Give matching tensors the allocator's floor for "
            + "protected tensors (8 bits unless set otherwise; 16 keeps them in float; see 'swan plugins -v') (repeatable).")
    List<String> protect = new ArrayList<>();

    @Option(names = "--sensitive", paramLabel = "REGEX", description = "Give matching tensors at least 8 bits (repeatable).")
    List<String> sensitive = new ArrayList<>();

    @Option(names = "--override", paramLabel = "REGEX=BITS[/GROUP]|TYPE", converter = OptionConverters.OverrideConverter.class,
            description = "Force bits (16 = float) and optionally a group size, or a type of the output format (e.g. "
                    + "lm_head=Q8_0), for matching tensors, on top of --preset and --uniform too; first match wins (repeatable).")
    List<AllocationPolicy.Override> overrides = new ArrayList<>();

    @Option(names = "--group-size", paramLabel = "BITS=GROUP", hideParamSyntax = true,
            description = "Group size for a bit width, e.g. 4=64 (default 2=32, 4=128, 8=64).")
    Map<Integer, Integer> groupSizes = new LinkedHashMap<>();

    @Option(names = "--seed", paramLabel = "N", description = "Global seed of every random draw (default: 42).")
    Long seed;

    @Option(names = "--self-calibrate", paramLabel = "TOKENS",
            description = "Let the model write TOKENS tokens of its own text (no dataset) and measure on it, with one "
                    + "backward pass, how much each tensor's error costs (the Fisher information of the model's own "
                    + "output); the rd allocator weighs errors by it. 0: weight-only. Default: on for rd plans, "
                    + "512 tokens for small models down to 128 at 8B.")
    Integer selfCalibrate;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    /** True when metrics or weights were given on the command line or in a pipeline file. */
    boolean metricsGiven;

    /** Plugin folders named by the pipeline file, to load before resolving. */
    public List<Path> pipelinePluginDirs() throws IOException {
        return config == null ? List.of() : PipelineYaml.read(config).pluginDirs();
    }

    /**
     * The settings of a command that works on a model: defaults, then the pipeline file, then these options,
     * then the command's own MODEL_DIR and --format; refuses a run without a model.
     */
    PipelineSettings forModel(PluginRegistry plugins, picocli.CommandLine.Model.CommandSpec spec, Path modelDir,
                              String format) throws IOException {
        PipelineSettings base = PipelineSettings.defaults();
        if (format != null) base = base.withFormat(format, Map.of());
        PipelineSettings s = settings(plugins, base);
        if (modelDir != null) s = s.withModel(modelDir);
        else if (config != null) PipelineYaml.read(config).checkModelExists();
        if (format != null && !format.equals(s.format())) s = s.withFormat(format, Map.of());
        if (s.model() == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing required parameter: 'MODEL_DIR' (or 'model:' in the pipeline file)");
        }
        return s;
    }

    public PipelineSettings settings(PluginRegistry plugins, PipelineSettings base) throws IOException {
        PipelineSettings s = base;
        if (config != null) {
            PipelineYaml y = PipelineYaml.read(config);
            s = y.apply(s, plugins);
            metricsGiven = metricsGiven || s.metrics() != base.metrics();
        }
        s = s.withSource("command line");
        if (metrics != null) {
            // keep parameters already configured for metrics that stay
            Map<String, Map<String, Object>> known = new LinkedHashMap<>();
            for (MetricChoice c : s.metrics()) known.put(c.id(), c.parameters());
            List<MetricChoice> merged = new ArrayList<>();
            metrics.forEach((id, w) -> merged.add(new MetricChoice(id.trim(), w, known.getOrDefault(id.trim(), Map.of()))));
            s = s.withMetrics(merged);
            metricsGiven = true;
        }
        if (allocator != null) s = s.withAllocator(allocator, Map.of());
        s = applySets(s);
        AllocationPolicy p = s.policy();
        for (String r : protect) checkRegex("--protect", r);
        for (String r : sensitive) checkRegex("--sensitive", r);
        for (AllocationPolicy.Override o : overrides) checkRegex("--override", o.pattern());
        List<String> prot = new ArrayList<>(p.protectedPatterns());
        prot.addAll(protect);
        List<String> sens = new ArrayList<>(p.sensitivePatterns());
        sens.addAll(sensitive);
        List<AllocationPolicy.Override> ov = new ArrayList<>(overrides);
        ov.addAll(p.overrides());
        Map<Integer, Integer> groups = new LinkedHashMap<>(p.groupSizes());
        groupSizes.forEach((bits, size) -> {
            try {
                AllocationPolicy.checkGroupSize(bits, size);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("command line", 0, 0, "--group-size " + bits + "=" + size + ": " + e.getMessage());
            }
            groups.put(bits, size);
        });
        AllocationPolicy.Target goal = p.target();
        Double targetBits = target == null ? null : target.bits;
        if (targetBits != null) {
            if (!(targetBits > 1 && targetBits <= 32)) throw new ConfigException("command line", 0, 0,
                    "--target-bits must be between 1 and 32, got " + targetBits);
            goal = AllocationPolicy.Target.bits(targetBits);
        }
        if (target != null && target.size != null) goal = AllocationPolicy.Target.size(target.size);
        s = s.withPolicy(new AllocationPolicy(prot, sens, ov, groups, goal));
        if (target != null && (target.bits != null || target.size != null)) {
            s = s.withTargetOrigin(new SettingOrigin("command line (" + (targetBits != null ? "--target-bits" : "--target-size") + ")", 0, 0));
        }
        if (seed != null) s = s.withSeed(seed);
        if (threads != null) {
            if (threads < 1 || threads > 1024) {
                throw new ConfigException("command line", 0, 0, "--threads " + threads + ": give 1 to 1024 worker threads");
            }
            s = s.withThreads(threads);
        }
        if (selfCalibrate != null) {
            if (selfCalibrate < 0 || selfCalibrate > 1_000_000) {
                throw new ConfigException("command line", 0, 0, "--self-calibrate " + selfCalibrate + ": give 0 to 1000000 tokens");
            }
            s = s.withSelfCalibrate(selfCalibrate);
        }
        return s;
    }

    /** A bad regular expression is a usage error naming the option and where the expression breaks. */
    static void checkRegex(String option, String regex) {
        try {
            java.util.regex.Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ConfigException("command line", 0, 0, option + " '" + regex + "': not a regular expression: "
                    + e.getDescription() + (e.getIndex() >= 0 ? " at position " + e.getIndex() : "")
                    + " (escape literal characters like ( [ . with a backslash)");
        }
    }

    /** Applies --set PLUGIN.PARAM=VALUE to the configured metric, allocator or format with that id. */
    private PipelineSettings applySets(PipelineSettings s) {
        for (Map.Entry<String, String> e : sets.entrySet()) {
            String set = e.getKey() + "=" + e.getValue();
            int dot = e.getKey().indexOf('.');
            if (dot <= 0) throw new ConfigException("command line", 0, 0, "--set " + set + ": expected PLUGIN.PARAM=VALUE");
            String id = e.getKey().substring(0, dot);
            String key = e.getKey().substring(dot + 1);
            Object value = scalar(e.getValue());
            boolean applied = false;
            List<MetricChoice> ms = new ArrayList<>();
            for (MetricChoice m : s.metrics()) {
                if (m.id().equals(id)) {
                    Map<String, Object> p = new LinkedHashMap<>(m.parameters());
                    p.put(key, value);
                    ms.add(new MetricChoice(m.id(), m.weight(), p));
                    applied = true;
                } else {
                    ms.add(m);
                }
            }
            if (applied) s = s.withMetrics(ms);
            // with no allocator chosen, setting a parameter of one (not a metric, not the format) chooses it
            boolean chooses = PipelineSettings.AUTO_ALLOCATOR.equals(s.allocator()) && !applied && !id.equals(s.format());
            if (id.equals(s.allocator()) || chooses) {
                Map<String, Object> p = new LinkedHashMap<>(chooses ? Map.of() : s.allocatorOptions());
                p.put(key, value);
                s = s.withAllocator(id, p);
                applied = true;
            }
            if (id.equals(s.format())) {
                Map<String, Object> p = new LinkedHashMap<>(s.formatOptions());
                p.put(key, value);
                s = s.withFormat(s.format(), p);
                applied = true;
            }
            if (!applied) {
                throw new ConfigException("command line", 0, 0, "--set " + set + ": no configured plugin '" + id
                        + "' (metrics: " + s.weights().keySet() + ", allocator: " + s.allocator() + ", format: " + s.format() + ")");
            }
        }
        return s;
    }

    /** A command-line value as YAML would read it: boolean, integer, number or string. */
    static Object scalar(String v) {
        if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException notLong) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException notDouble) {
                return v;
            }
        }
    }
}
