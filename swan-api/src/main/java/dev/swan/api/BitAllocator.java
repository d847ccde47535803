package dev.swan.api;

/**
 * Turns per-tensor analyses into an allocation plan: bits, group size and a reason for every tensor.
 * Pure: the same request gives the same plan, so plans can be re-made from a cached manifest.
 *
 * <p>Minimal example (everything quantizable at 4 bits, group 64):
 * <pre>{@code
 * public final class Uniform4 implements BitAllocator {
 *     public String id() { return "uniform4"; }
 *     public String description() { return "4-bit everywhere it applies"; }
 *     public String spiVersion() { return SpiVersion.CURRENT; }
 *     public AllocationPlan allocate(AllocationRequest r, ProgressSink progress) {
 *         List<TensorDecision> out = new ArrayList<>();
 *         for (TensorAnalysis t : r.tensors()) {
 *             out.add(t.analysed() && t.cols() % 64 == 0
 *                     ? new TensorDecision(t.name(), 4, 64, "uniform", Double.NaN)
 *                     : new TensorDecision(t.name(), 16, 0, "not quantizable", Double.NaN));
 *         }
 *         return new AllocationPlan(id(), Map.of(), out);
 *     }
 * }
 * }</pre>
 */
public interface BitAllocator extends SwanPlugin {

    AllocationPlan allocate(AllocationRequest request, ProgressSink progress);

    /**
     * Checks a request before any metric runs, so that a setting no measurement could satisfy (a budget
     * below the smallest plan the model's shapes allow, say) fails in seconds rather than after hours of
     * analysis. The tensors carry their shapes, classes and skip reasons but no metric results yet.
     * Throw {@link ConfigException} for what cannot work; the default checks nothing.
     */
    default void preflight(AllocationRequest shapesOnly) {
    }

    /**
     * Metric ids whose results this allocator reads whatever the composite weights (e.g. the measured
     * error of every encoding); the launcher runs them with weight 0 when the pipeline does not list them.
     */
    default java.util.List<String> requiredMetrics() {
        return java.util.List.of();
    }

    /** False for allocators that ignore metric results (baselines), so the launcher skips measuring. */
    /**
     * Which of the format's encodings a plan for this request may use, asked before measuring (from the
     * tensor shapes, as {@link #preflight}): the host measures only those, so an encoding the plan cannot take
     * at its target costs nothing. Since SPI 1.9; the default keeps every encoding.
     */
    default java.util.function.Predicate<Encoding> candidates(AllocationRequest shapesOnly) {
        return e -> true;
    }

    /**
     * Lines a reader wants under the plan's summary (the thresholds chosen, a warning); none by default.
     *
     * @since SPI 1.3
     */
    default java.util.List<String> describe(AllocationPlan plan) {
        return java.util.List.of();
    }

    /** Baseline name: every quantizable matrix quantized, the output format choosing each one's type. */
    String EVERY_MATRIX = "every-matrix";

    /**
     * This allocator's parameters for baseline {@code name} (a bit width such as "4", or
     * {@link #EVERY_MATRIX}), so the host can ask for a baseline without knowing parameter names; empty
     * when it has no such baseline.
     *
     * @since SPI 1.3
     */
    default java.util.Optional<java.util.Map<String, Object>> baseline(String name) {
        return java.util.Optional.empty();
    }

    /**
     * Whether the plan reads the pipeline's weighted metrics (their composite score). An allocator that
     * reads only its {@link #requiredMetrics()} and the measured sensitivities returns false, and the host
     * then runs its default metrics only when they are asked for by name: nothing is measured that the
     * plan does not read.
     *
     * @since SPI 1.5
     */
    default boolean readsComposite() {
        return true;
    }

    default boolean usesMetrics() {
        return true;
    }
}
