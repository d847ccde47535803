package dev.swan.launcher.ui;

/**
 * The time a phase has left, at the pace of the last quarter of the work done so far: the first units of a
 * fresh run are slow (the JIT compiles, the page cache fills) and a run keeps speeding up for a while, so
 * the pace since the start overstates what is left several times over on a phase of seconds; a quarter
 * of the work is still enough units to average the unevenness of single tensors out. Keeps at most {@link #CAPACITY} samples, thinned by halves, so
 * an hour-long phase costs no more memory than a short one. Not thread-safe: its owner synchronizes.
 */
public final class Pace {
    static final int CAPACITY = 64;

    private final long[] nanos = new long[CAPACITY];
    private final long[] done = new long[CAPACITY];
    private int size;

    /** A phase that started at {@code startNanos} with nothing done. */
    public Pace(long startNanos) {
        nanos[0] = startNanos;
        size = 1;
    }

    /** Work {@code doneUnits} finished by {@code nowNanos} (non-decreasing in both). */
    public void add(long nowNanos, long doneUnits) {
        if (doneUnits <= done[size - 1]) return;
        if (size == CAPACITY) {
            // keep the start and every other sample: the spacing doubles, the span stays
            int k = 1;
            for (int i = 2; i < size; i += 2) {
                nanos[k] = nanos[i];
                done[k] = done[i];
                k++;
            }
            size = k;
        }
        nanos[size] = nowNanos;
        done[size] = doneUnits;
        size++;
    }

    /** Seconds left for {@code total} units, at the pace since three quarters of {@code doneUnits} were done. */
    public double secondsLeft(long nowNanos, long doneUnits, long total) {
        if (doneUnits <= 0) return Double.NaN;
        int from = 0;
        for (int i = size - 1; i >= 0; i--) {
            if (done[i] <= doneUnits - doneUnits / 4) {
                from = i;
                break;
            }
        }
        long units = doneUnits - done[from];
        double seconds = (nowNanos - nanos[from]) / 1e9;
        if (units <= 0 || seconds <= 0) return seconds * (total - doneUnits) / Math.max(1, doneUnits);
        return seconds / units * (total - doneUnits);
    }
}
