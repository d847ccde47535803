package dev.swan.launcher.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * How the SPI's records that swan writes as they are look in JSON, given to the mapper as mix-ins so the
 * SPI itself carries no Jackson annotation: the allocation policy of a manifest.
 */
final class SpiMixIns {
    private SpiMixIns() {
    }

    @JsonPropertyOrder({"protected", "sensitive", "overrides", "group_sizes", "target"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    abstract static class Policy {
        @JsonProperty("protected")
        abstract List<String> protectedPatterns();

        @JsonProperty("sensitive")
        abstract List<String> sensitivePatterns();

        @JsonProperty("group_sizes")
        abstract Map<Integer, Integer> groupSizes();

        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract Object target();
    }

    @JsonPropertyOrder({"pattern", "bits", "group_size", "type"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    abstract static class Override {
        @JsonProperty("group_size")
        abstract int groupSize();

        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        abstract String type();
    }

    /** A target is either bits per weight or bytes: only the one that is set is written. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    abstract static class Target {
        @JsonProperty("effective_bits")
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        abstract double effectiveBits();

        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        abstract long bytes();
    }
}
