package dev.swan.allocator.threshold;

import java.util.Map;

/** Group size per bit width, falling back to the largest legal group that divides the row. */
final class GroupSizes {
    /** Group sizes every target accepts (MLX affine: 32, 64, 128). */
    static final int[] LEGAL = {128, 64, 32};

    private GroupSizes() {
    }

    /** The configured group for {@code bits} if it divides {@code cols}, else the largest legal divisor, else 0. */
    static int choose(Map<Integer, Integer> configured, int bits, long cols) {
        int g = configured.getOrDefault(bits, 64);
        if (g > 0 && cols % g == 0) return g;
        for (int l : LEGAL) {
            if (l <= cols && cols % l == 0) return l;
        }
        return 0;
    }
}
