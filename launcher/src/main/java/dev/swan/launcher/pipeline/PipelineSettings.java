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
 *                       {@link #AUTO_SELF_CALIBRATE}: for the rd allocator, as many as the model's size allows
 *                       in minutes, 512 down to 128 at 8B)
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

    /**
     * Self-calibration when none is asked for: on for rd plans (the allocator that reads measured
     * sensitivities) at every model size, its text sized for the model.
     */
    public static final int AUTO_SELF_CALIBRATE = -1;

    /** Whether the sensitivities are measured: asked for, or by default for rd plans. */
    public boolean selfCalibrates() {
        return selfCalibrate == AUTO_SELF_CALIBRATE ? allocatorId().equals("rd") : selfCalibrate > 0;
    }

    /** The tokens asked for (0: as many as the model's size allows). */
    public int selfCalibrateTokens() {
        return Math.max(0, selfCalibrate);
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

    /**
     * The metrics when none are listed: the paper's, which run only for an allocator that reads their
     * composite ({@code threshold}); this very list, so that a listed one (YAML, {@code --metrics}) is told apart.
     */
    private static final List<MetricChoice> DEFAULT_METRICS = paperMetrics();

    /** Whether the metrics were listed (YAML or {@code --metrics}) rather than left at the default. */
    public boolean metricsListed() {
        return metrics != DEFAULT_METRICS;
    }

    public static PipelineSettings defaults() {
        return new PipelineSettings(null, null, "mlx", Map.of(), DEFAULT_METRICS, AUTO_ALLOCATOR, Map.of(),
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
