package dev.swan.format.gguf.quant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One lattice of ggml's i-quants, as {@code iq2xs_init_impl} / {@code iq3xs_init_impl} build it: grid points
 * of {@code dims} coordinates, each a level l stored as 2l+1 ({@link #point}); a map from every packed level
 * vector to its grid index, or for vectors off the grid to their neighbour list: the grid points at the
 * {@code nwant} smallest squared distances, in order of distance then index (what ggml's qsort on (d², j)
 * gives); for the 2-bit lattices only vectors of levels 0..2, the ones the quantizers look up. Immutable
 * once built.
 */
final class IqGrid {
    final int dims;
    final int bits;
    final int size;
    /** Coordinates 2l+1, {@code dims} per point. */
    private final byte[] points;
    /** Packed level vector -> grid index (≥ 0), -(offset + 1) of its neighbour list, or MIN_VALUE: neither. */
    private final int[] map;
    /** Neighbour lists: a count, then that many grid indices. */
    private final char[] neighbours;

    private IqGrid(String table, int dims, int bits, int nwant) {
        this.dims = dims;
        this.bits = bits;
        int[] kgrid = read(table);
        size = kgrid.length;
        int mask = (1 << bits) - 1;
        points = new byte[size * dims];
        for (int k = 0; k < size; k++) {
            for (int i = 0; i < dims; i++) points[k * dims + i] = (byte) (2 * ((kgrid[k] >> bits * i) & mask) + 1);
        }
        // the highest packed index with levels below 2^bits - 1 in every coordinate the grids use
        int mapSize = bits == 2 ? 43692 : 4096;
        map = new int[mapSize];
        Arrays.fill(map, Integer.MIN_VALUE); // no list (never looked up)
        for (int k = 0; k < size; k++) map[kgrid[k]] = k;
        int[] dist = new int[size];
        int maxD2 = dims * (2 * mask) * (2 * mask) + 1;
        int[] count = new int[maxD2];
        char[] lists = new char[1 << 16];
        int used = 0;
        byte[] pos = new byte[dims];
        for (int u = 0; u < mapSize; u++) {
            if (map[u] >= 0) continue;
            // the quantizers clamp 2-bit levels to 0..2: vectors holding a 3 are never looked up
            if (bits == 2 && hasLevel3(u)) continue;
            for (int i = 0; i < dims; i++) pos[i] = (byte) (2 * ((u >> bits * i) & mask) + 1);
            Arrays.fill(count, 0);
            for (int j = 0; j < size; j++) {
                int d2 = 0;
                for (int i = 0; i < dims; i++) {
                    int diff = points[j * dims + i] - pos[i];
                    d2 += diff * diff;
                }
                dist[j] = d2;
                count[d2]++;
            }
            // the nwant smallest distinct distances; the list is every point within the last of them
            int have = 0;
            int limit = 0;
            int n = 0;
            for (int d = 0; d < maxD2 && have < nwant; d++) {
                if (count[d] == 0) continue;
                have++;
                limit = d;
                n += count[d];
            }
            if (used + n + 1 > lists.length) lists = Arrays.copyOf(lists, Math.max(lists.length * 2, used + n + 1));
            map[u] = -(used + 1);
            lists[used++] = (char) n;
            for (int d = 0; d <= limit; d++) {
                if (count[d] == 0) continue;
                for (int j = 0; j < size; j++) if (dist[j] == d) lists[used++] = (char) j;
            }
        }
        neighbours = Arrays.copyOf(lists, used);
    }

    private static boolean hasLevel3(int u) {
        for (int i = 0; i < 8; i++) if (((u >> 2 * i) & 3) == 3) return true;
        return false;
    }

    /**
     * The levels of {@code dims} values at inverse scale {@code id}, rounded as ggml rounds them and clamped to
     * the levels the lattice uses (0..2, or 0..7), into {@code l[lo..]}; returns them packed.
     */
    int pack(float[] xval, int xo, float id, int[] l, int lo) {
        int top = bits == 2 ? 2 : 7;
        int u = 0;
        for (int i = 0; i < dims; i++) {
            int q = QuantMath.nearestInt(0.5f * (id * xval[xo + i] - 1));
            q = Math.max(0, Math.min(top, q));
            l[lo + i] = q;
            u |= q << bits * i;
        }
        return u;
    }

    /** Levels {@code l[lo..lo+dims)} packed, {@code bits} each. */
    int levels(int[] l, int lo) {
        int u = 0;
        for (int i = 0; i < dims; i++) u |= l[lo + i] << bits * i;
        return u;
    }

    /**
     * The weighted least-squares sums of values {@code xval[0..n)} against levels {@code l} (values 2l+1):
     * Σ w·x·q into {@code out[0]} and Σ w·q² into {@code out[1]}, in ggml's order.
     */
    static void fit(float[] weight, float[] xval, int[] l, int n, float[] out) {
        float sumqx = 0;
        float sumq2 = 0;
        for (int i = 0; i < n; i++) {
            float w = weight[i];
            float q = 2 * l[i] + 1;
            sumqx += w * xval[i] * q;
            sumq2 += w * q * q;
        }
        out[0] = sumqx;
        out[1] = sumq2;
    }

    /** Coordinate {@code i} (2l+1) of grid point {@code k}. */
    int point(int k, int i) {
        return points[k * dims + i];
    }

    /** The grid index of packed level vector {@code u}, or -1 when it is off the grid. */
    int index(int u) {
        return map[u] >= 0 ? map[u] : -1;
    }

    /** Where the neighbour list of off-grid vector {@code u} starts: its count. */
    int neighbourList(int u) {
        if (map[u] == Integer.MIN_VALUE) throw new IllegalStateException("no neighbour list for level vector " + u);
        return -map[u] - 1;
    }

    int neighbourCount(int list) {
        return neighbours[list];
    }

    int neighbour(int list, int j) {
        return neighbours[list + j];
    }

    /**
     * ggml's scale search of the grid i-quants: for each trial scale {@code (base + is·step) / max}, is in
     * [-tries, tries], every group of {@code width} values is put on the grid (its best neighbour when off it)
     * and the weighted least-squares scale fitted; the best trial's levels go to {@code l} and whether each
     * group sat on the grid to {@code onGrid} (both left as given when no trial fits). Returns the best scale,
     * {@code initial} when none fits. {@code laux}, {@code onGridAux} and {@code fit} are scratch.
     */
    float searchScale(float[] xval, float[] weight, float[] waux, float max, float initial, int base, float step, int tries,
                      int groups, int width, int[] laux, int[] l, boolean[] onGridAux, boolean[] onGrid, float[] fit) {
        int n = groups * width;
        float best = 0;
        float scale = initial;
        for (int is = -tries; is <= tries; is++) {
            float id = (base + is * step) / max;
            float thisScale = 1 / id;
            for (int k = 0; k < groups; k++) {
                int u = pack(xval, width * k, id, laux, width * k);
                onGridAux[k] = true;
                if (index(u) < 0) {
                    onGridAux[k] = false;
                    bestNeighbour(u, xval, width * k, waux, width * k, thisScale, laux, width * k);
                }
            }
            fit(weight, xval, laux, n, fit);
            float sumqx = fit[0];
            float sumq2 = fit[1];
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                scale = sumqx / sumq2;
                best = scale * sumqx;
                System.arraycopy(laux, 0, l, 0, n);
                System.arraycopy(onGridAux, 0, onGrid, 0, groups);
            }
        }
        return scale;
    }

    /**
     * iq2/iq3_find_best_neighbour: among the neighbours of off-grid {@code u}, the point nearest to
     * {@code xval[xo..]} at {@code scale} under {@code weight[wo..]}; its levels go to {@code l[lo..]}.
     */
    int bestNeighbour(int u, float[] xval, int xo, float[] weight, int wo, float scale, int[] l, int lo) {
        int list = neighbourList(u);
        int n = neighbours[list];
        float bestD2 = Float.MAX_VALUE;
        int best = -1;
        for (int j = 1; j <= n; j++) {
            int k = neighbours[list + j];
            float d2 = 0;
            for (int i = 0; i < dims; i++) {
                float q = points[k * dims + i];
                float diff = scale * q - xval[xo + i];
                d2 += weight[wo + i] * diff * diff;
            }
            if (d2 < bestD2) {
                bestD2 = d2;
                best = k;
            }
        }
        if (best < 0) throw new IllegalStateException("no grid neighbour (NaN weights?)");
        for (int i = 0; i < dims; i++) l[lo + i] = (points[best * dims + i] - 1) / 2;
        return best;
    }

    private static int[] read(String table) {
        try (InputStream in = IqGrid.class.getResourceAsStream(table + ".txt")) {
            if (in == null) throw new IllegalStateException("missing grid table " + table);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            return r.lines().filter(s -> !s.startsWith("#")).flatMap(s -> Arrays.stream(s.trim().split("\\s+")))
                    .filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // one lattice per type family, built on first use (initialization-on-demand holders)
    private static final class Iq2Xxs {
        static final IqGrid GRID = new IqGrid("kgrid_2bit_256", 8, 2, 2);
    }

    private static final class Iq2Xs {
        static final IqGrid GRID = new IqGrid("kgrid_2bit_512", 8, 2, 2);
    }

    private static final class Iq2S {
        static final IqGrid GRID = new IqGrid("kgrid_2bit_1024", 8, 2, 1);
    }

    private static final class Iq1 {
        static final IqGrid GRID = new IqGrid("kgrid_1bit_2048", 8, 2, 3);
    }

    private static final class Iq3Xxs {
        static final IqGrid GRID = new IqGrid("kgrid_3bit_256", 4, 3, 2);
    }

    private static final class Iq3S {
        static final IqGrid GRID = new IqGrid("kgrid_3bit_512", 4, 3, 3);
    }

    static IqGrid iq2xxs() {
        return Iq2Xxs.GRID;
    }

    static IqGrid iq2xs() {
        return Iq2Xs.GRID;
    }

    static IqGrid iq2s() {
        return Iq2S.GRID;
    }

    static IqGrid iq1() {
        return Iq1.GRID;
    }

    static IqGrid iq3xxs() {
        return Iq3Xxs.GRID;
    }

    static IqGrid iq3s() {
        return Iq3S.GRID;
    }
}
