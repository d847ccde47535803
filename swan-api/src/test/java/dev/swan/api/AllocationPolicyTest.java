package dev.swan.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy records hold the one rule for widths and group sizes: front ends only attach where a value came from. */
class AllocationPolicyTest {
    @Test
    void overridesAndGroupSizesAreCheckedByTheRecords() {
        new AllocationPolicy.Override("q_proj", 16, 0);
        new AllocationPolicy.Override("q_proj", 4, 128);
        assertEquals("bits must be one of 2, 3, 4, 5, 6, 8, 16; got 7",
                assertThrows(IllegalArgumentException.class, () -> new AllocationPolicy.Override("x", 7, 0)).getMessage());
        assertEquals("group size must be 32, 64 or 128; got 100",
                assertThrows(IllegalArgumentException.class, () -> new AllocationPolicy.Override("x", 4, 100)).getMessage());
        assertEquals("bit width must be one of 2, 3, 4, 5, 6, 8", assertThrows(IllegalArgumentException.class,
                () -> new AllocationPolicy(List.of(), List.of(), List.of(), Map.of(16, 64), null)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new AllocationPolicy(List.of(), List.of(), List.of(), Map.of(4, 48), null));
        assertEquals(AllocationPolicy.defaultGroupSizes(), AllocationPolicy.defaults().groupSizes());
    }
}
