package dev.swan.launcher.pipeline;

import dev.swan.api.AllocationPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a run is configured with, from a YAML pipeline and/or the command line (the command line
 * wins). Plugin ids and parameters are still unresolved here; {@link ResolvedPipeline} checks them.
 *
 * @param model          model directory
 * @param output         output path (directory, file or manifest, by command)
 * @param format         output format id
 * @param formatOptions  the format's parameters
 * @param metrics        metrics with weights and parameters
 * @param allocator      allocator id
 * @param allocatorOptions the allocator's parameters
 * @param policy         protection, overrides, group sizes, target
 * @param seed           global seed of every random draw
 * @param threads        worker threads
 * @param pluginDirs     extra plugin folders
 * @param source         where the settings came from, for error messages
 * @param targetOrigin   where the budget target was set, for errors found when checking it against the model
 * @param selfCalibrate  tokens the model generates to measure each tensor's sensitivity (0: weight-only;
 *                       {@link #AUTO_SELF_CALIBRATE}: {@link #AUTO_TOKENS} for the rd allocator when that is a
 *                       minute's work, else 0)
 */
public record PipelineSettings(Path model, Path output, String format, Map<String, Object> formatOptions,
                               List<MetricChoice> metrics, String allocator, Map<String, Object> allocatorOptions,
                               AllocationPolicy policy, long seed, int threads, List<Path> pluginDirs, String source,
                               SettingOrigin targetOrigin, int selfCalibrate) {

    public static final long DEFAULT_SEED = 42;

    /**
     * The allocator when none is chosen: rate–distortion ({@code rd}) when the policy has a size target,
     * the SWAN paper's thresholds ({@code threshold}) otherwise.
     */
    public static final String AUTO_ALLOCATOR = "auto";

    /** Self-calibration when none is asked for: on for rd plans while it is about a minute's work. */
    public static final int AUTO_SELF_CALIBRATE = -1;
    public static final int AUTO_TOKENS = 512;
    /**
     * Self-calibration runs two forward passes of {@link #AUTO_TOKENS} tokens per tensor, about 2048 ×
     * tensors × parameters floating-point operations; by default it runs while tensors × parameters stays
     * below this (about a minute on two cores), and otherwise only when asked for.
     */
    public static final double AUTO_MAX_WORK = 1e9;

    /** Tokens of self-calibration for a model of {@code tensors} tensors and {@code parameters} parameters. */
    public int selfCalibrateTokens(int tensors, long parameters) {
        if (selfCalibrate != AUTO_SELF_CALIBRATE) return selfCalibrate;
        return allocatorId().equals("rd") && (double) tensors * parameters <= AUTO_MAX_WORK ? AUTO_TOKENS : 0;
    }

    /** The allocator id {@link #AUTO_ALLOCATOR} stands for under this policy. */
    public String allocatorId() {
        if (!AUTO_ALLOCATOR.equals(allocator)) return allocator;
        return policy.target() != null ? "rd" : "threshold";
    }

    /** SWAN paper v2: svd 0.20, kurtosis 0.45, noise 0.15, recon 0.20. */
    public static List<MetricChoice> paperMetrics() {
        return List.of(new MetricChoice("svd", 0.20, Map.of()), new MetricChoice("kurtosis", 0.45, Map.of()),
                new MetricChoice("noise", 0.15, Map.of()), new MetricChoice("recon", 0.20, Map.of()));
    }

    public static PipelineSettings defaults() {
        return new PipelineSettings(null, null, "mlx", Map.of(), paperMetrics(), AUTO_ALLOCATOR, Map.of(),
                AllocationPolicy.defaults(), DEFAULT_SEED, Runtime.getRuntime().availableProcessors(), List.of(),
                "defaults", SettingOrigin.NONE, AUTO_SELF_CALIBRATE);
    }

    public PipelineSettings withModel(Path p) {
        return new PipelineSettings(p, output, format, formatOptions, metrics, allocator, allocatorOptions, policy, seed,
                threads, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withOutput(Path p) {
        return new PipelineSettings(model, p, format, formatOptions, metrics, allocator, allocatorOptions, policy, seed,
                threads, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withFormat(String f, Map<String, Object> options) {
        return new PipelineSettings(model, output, f, options, metrics, allocator, allocatorOptions, policy, seed,
                threads, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withMetrics(List<MetricChoice> m) {
        return new PipelineSettings(model, output, format, formatOptions, m, allocator, allocatorOptions, policy, seed,
                threads, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withAllocator(String id, Map<String, Object> options) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, id, options, policy, seed, threads,
                pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withPolicy(AllocationPolicy p) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, p, seed,
                threads, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withSeed(long s) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, policy, s,
                threads, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withThreads(int t) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, policy,
                seed, t, pluginDirs, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withPluginDirs(List<Path> d) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, policy,
                seed, threads, d, source, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withSource(String s) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, policy,
                seed, threads, pluginDirs, s, targetOrigin, selfCalibrate);
    }

    public PipelineSettings withTargetOrigin(SettingOrigin o) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, policy,
                seed, threads, pluginDirs, source, o, selfCalibrate);
    }

    public PipelineSettings withSelfCalibrate(int tokens) {
        return new PipelineSettings(model, output, format, formatOptions, metrics, allocator, allocatorOptions, policy,
                seed, threads, pluginDirs, source, targetOrigin, tokens);
    }

    /** Weight of each metric id, for the allocator. */
    public Map<String, Double> weights() {
        Map<String, Double> w = new java.util.LinkedHashMap<>();
        for (MetricChoice m : metrics) w.put(m.id(), m.weight());
        return w;
    }
}
