package dev.swan.launcher.pipeline;

import dev.swan.api.BitAllocator;
import dev.swan.api.ConfigException;
import dev.swan.api.OutputFormat;
import dev.swan.api.Parameters;
import dev.swan.api.PluginException;
import dev.swan.api.SensitivityMetric;
import dev.swan.launcher.plugins.PluginRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A pipeline whose plugin ids and parameters have been checked against the installed plugins, before
 * any work starts.
 */
public record ResolvedPipeline(PipelineSettings settings, List<ResolvedMetric> metrics, BitAllocator allocator,
                               Parameters allocatorParameters, OutputFormat format, Parameters formatParameters) {

    /** A metric plugin with its resolved parameters and weight. */
    public record ResolvedMetric(SensitivityMetric metric, Parameters parameters, double weight) {
        public String id() {
            return metric.id();
        }
    }

    /**
     * @param withMetrics whether the run measures (also false when the allocator uses no metrics)
     * @param withFormat  whether the run writes an output format
     */
    public static ResolvedPipeline resolve(PipelineSettings s, PluginRegistry plugins, boolean withMetrics,
                                           boolean withFormat) {
        List<ResolvedMetric> metrics = new ArrayList<>();
        BitAllocator allocator = lookup(() -> plugins.allocator(s.allocatorId()), s.source());
        if (withMetrics && allocator.usesMetrics()) {
            Set<String> seen = new HashSet<>();
            double sum = 0;
            // measure only what the plan reads: the default metrics feed a composite some allocators never read
            List<MetricChoice> listed = s.metricsListed() || allocator.readsComposite() ? s.metrics() : List.of();
            for (MetricChoice m : listed) {
                if (!seen.add(m.id())) throw new ConfigException(s.source(), 0, 0, "metric '" + m.id() + "' is listed twice");
                SensitivityMetric metric = lookup(() -> plugins.metric(m.id()), s.source());
                Parameters p = Parameters.resolve(m.id(), metric.parameters(), m.parameters(), s.source());
                if (!(m.weight() >= 0)) {
                    throw new ConfigException(s.source(), 0, 0, "metric '" + m.id() + "' has weight " + m.weight()
                            + ": weights must be >= 0");
                }
                sum += m.weight();
                metrics.add(new ResolvedMetric(metric, p, m.weight()));
            }
            if (metrics.isEmpty() && !listed.isEmpty()) throw new ConfigException(s.source(), 0, 0, "no metrics configured");
            if (listed.isEmpty() && allocator.requiredMetrics().isEmpty()) {
                throw new ConfigException(s.source(), 0, 0, "no metrics configured");
            }
            for (String id : allocator.requiredMetrics()) {
                if (!seen.add(id)) continue;
                SensitivityMetric metric = lookup(() -> plugins.metric(id), s.source());
                metrics.add(new ResolvedMetric(metric, Parameters.resolve(id, metric.parameters(), java.util.Map.of(),
                        s.source()), 0.0));
            }
            // weights weigh the composite: they must sum to 1 unless every one is 0 (metrics measured for what
            // the plan reads directly, as a distributed job's executors run them; a composite plan then refuses)
            if (!listed.isEmpty() && sum > 0 && Math.abs(sum - 1) > 1e-6) {
                throw new ConfigException(s.source(), 0, 0, "metric weights sum to " + String.format(Locale.ROOT, "%.4f", sum)
                        + " " + s.weights() + ": they must sum to 1");
            }
        }
        Parameters ap = Parameters.resolve(allocator.id(), allocator.parameters(), s.allocatorOptions(), s.source());
        OutputFormat format = null;
        Parameters fp = Parameters.empty();
        if (withFormat) {
            format = lookup(() -> plugins.format(s.format()), s.source());
            fp = Parameters.resolve(format.id(), format.parameters(), s.formatOptions(), s.source());
        }
        if (s.threads() < 1) throw new ConfigException(s.source(), 0, 0, "threads must be at least 1, got " + s.threads());
        return new ResolvedPipeline(s, List.copyOf(metrics), allocator, ap, format, fp);
    }

    private static <T> T lookup(java.util.function.Supplier<T> f, String source) {
        try {
            return f.get();
        } catch (PluginException e) {
            throw new ConfigException(source, 0, 0, e.getMessage());
        }
    }
}
