package dev.swan.allocator.threshold;

/**
 * The three thresholds of the decision rule (SWAN paper v2). A threshold above 1 (or T2 below 0)
 * switches its tier off.
 */
record Thresholds(double t16, double t8, double t2) {
    Thresholds withT8(double v) {
        return new Thresholds(t16, v, t2);
    }

    Thresholds withT16(double v) {
        return new Thresholds(v, t8, t2);
    }

    Thresholds withT2(double v) {
        return new Thresholds(t16, t8, v);
    }
}
