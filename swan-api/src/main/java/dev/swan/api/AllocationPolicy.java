package dev.swan.api;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The user's rules every allocator honours, from the pipeline configuration: extra protected and
 * sensitive name patterns (regular expressions, matched anywhere in the tensor name), per-tensor
 * overrides, group sizes per bit width, and an optional size target.
 *
 * @param protectedPatterns tensors matching any of these stay in float (16)
 * @param sensitivePatterns tensors matching any of these get at least 8 bits
 * @param overrides         first match wins; beats every rule except "cannot be quantized"
 * @param groupSizes        group size per bit width (e.g. 2→32, 4→128, 8→64)
 * @param target            a budget to meet instead of fixed thresholds, or null
 */
public record AllocationPolicy(List<String> protectedPatterns, List<String> sensitivePatterns,
                               List<Override> overrides, Map<Integer, Integer> groupSizes, Target target) {

    /**
     * The quantized widths a plan may ask for (16 is float, beyond these), and the group sizes: what every
     * format swan writes can store, in one place.
     *
     * @since SPI 1.3
     */
    public static final List<Integer> WIDTHS = List.of(2, 3, 4, 5, 6, 8);
    public static final List<Integer> GROUP_SIZES = List.of(32, 64, 128);

    /** True for a quantized width of {@link #WIDTHS}, or 16 (float) when {@code floatAllowed}. */
    public static boolean isWidth(int bits, boolean floatAllowed) {
        return WIDTHS.contains(bits) || (floatAllowed && bits == 16);
    }

    /**
     * Refuses a group-size entry no format stores: {@code bits} a quantized width, {@code group} one of
     * {@link #GROUP_SIZES} (the one place this rule is checked; front ends add where the value came from).
     *
     * @throws IllegalArgumentException naming the value
     * @since SPI 1.3
     */
    public static void checkGroupSize(int bits, int group) {
        if (!isWidth(bits, false)) throw new IllegalArgumentException("bit width must be one of 2, 3, 4, 5, 6, 8");
        if (!GROUP_SIZES.contains(group)) throw new IllegalArgumentException("group size must be 32, 64 or 128; got " + group);
    }

    public AllocationPolicy {
        groupSizes.forEach(AllocationPolicy::checkGroupSize);
        protectedPatterns = List.copyOf(protectedPatterns);
        sensitivePatterns = List.copyOf(sensitivePatterns);
        overrides = List.copyOf(overrides);
        groupSizes = Collections.unmodifiableMap(new TreeMap<>(groupSizes));
    }

    /** SWAN's defaults: no extra patterns, groups 2→32, 3→64, 4→128, 5→64, 6→64, 8→64, no target. */
    public static AllocationPolicy defaults() {
        return new AllocationPolicy(List.of(), List.of(), List.of(), defaultGroupSizes(), null);
    }

    public static Map<Integer, Integer> defaultGroupSizes() {
        return Map.of(2, 32, 3, 64, 4, 128, 5, 64, 6, 64, 8, 64);
    }

    public AllocationPolicy withTarget(Target t) {
        return new AllocationPolicy(protectedPatterns, sensitivePatterns, overrides, groupSizes, t);
    }

    /**
     * A per-tensor override: a width (and group), or one of the output format's own types (as
     * llama-quantize's {@code --tensor-type REGEX=TYPE}).
     *
     * @param pattern   regular expression searched in the tensor name
     * @param bits      2..8 to quantize, 16 to keep in float; 0 when {@code type} names the encoding
     * @param groupSize group size, or 0 for the policy's default for {@code bits}
     * @param type      the format's name for the encoding ({@link Encoding#id()}, e.g. {@code Q8_0}), or empty
     *                  ({@since SPI 1.5})
     */
    public record Override(String pattern, int bits, int groupSize, String type) {
        /** @throws IllegalArgumentException for bits no format stores or a group size that is not 0, 32, 64 or 128 */
        public Override {
            java.util.Objects.requireNonNull(pattern, "pattern");
            type = type == null ? "" : type.trim();
            if (type.isEmpty() && !isWidth(bits, true)) {
                throw new IllegalArgumentException("bits must be one of 2, 3, 4, 5, 6, 8, 16; got " + bits);
            }
            if (!type.isEmpty() && bits != 0) throw new IllegalArgumentException("give bits or a type, not both");
            if (groupSize != 0 && !GROUP_SIZES.contains(groupSize)) {
                throw new IllegalArgumentException("group size must be 32, 64 or 128; got " + groupSize);
            }
        }

        /** A width override. */
        public Override(String pattern, int bits, int groupSize) {
            this(pattern, bits, groupSize, "");
        }

        /**
         * The decision for tensor {@code name} under this override, among the encodings the output format
         * offers for it ({@code candidates}): the named type, or the width with its group; refused with a
         * {@link ConfigException} naming the type and what is offered when the format has no such type for it.
         */
        public TensorDecision decide(String name, java.util.List<Encoding> candidates, Map<Integer, Integer> groupSizes) {
            String reason = TensorDecision.OVERRIDE + pattern;
            if (!type.isEmpty()) {
                for (Encoding e : candidates) {
                    if (e.id().equalsIgnoreCase(type)) {
                        return new TensorDecision(name, e.bits(), e.groupSize(), reason, Double.NaN, e.id());
                    }
                }
                java.util.List<String> ids = new java.util.ArrayList<>();
                for (Encoding e : candidates) ids.add(e.id());
                throw new ConfigException("--override " + pattern + "=" + type + ": the output format cannot store " + name
                        + " as " + type + (ids.isEmpty() ? "" : " (it offers " + String.join(", ", ids) + ")"));
            }
            int g = bits >= 16 ? 0 : groupSize > 0 ? groupSize : groupSizes.getOrDefault(bits, 64);
            return new TensorDecision(name, bits, g, reason, Double.NaN);
        }
    }

    /**
     * A size budget: exactly one of the two is positive.
     *
     * @param effectiveBits average bits per weight including scales, biases and float tensors
     * @param bytes         total output bytes
     */
    public record Target(double effectiveBits, long bytes) {
        public static Target bits(double b) {
            return new Target(b, 0);
        }

        public static Target size(long bytes) {
            return new Target(0, bytes);
        }

        @java.lang.Override
        public String toString() {
            return effectiveBits > 0 ? effectiveBits + " bits/weight" : bytes + " bytes";
        }
    }
}
