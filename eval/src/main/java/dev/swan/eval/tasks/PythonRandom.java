package dev.swan.eval.tasks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CPython's {@code random.Random(seed)} (MT19937 seeded by {@code init_by_array}) and its {@code sample}:
 * lm-evaluation-harness draws every question's few-shot examples with {@code Random(1234).sample(train, k)},
 * one generator for the whole task, so drawing the same numbers gives its prompts exactly.
 */
final class PythonRandom {
    private static final int N = 624, M = 397;
    private final int[] mt = new int[N];
    private int index = N + 1;

    /** {@code random.Random(seed)} for a non-negative integer seed. */
    PythonRandom(long seed) {
        long a = Math.abs(seed);
        List<Integer> key = new ArrayList<>();
        do {
            key.add((int) a);
            a >>>= 32;
        } while (a != 0);
        initByArray(key);
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (index = 1; index < N; index++) {
            mt[index] = 1812433253 * (mt[index - 1] ^ (mt[index - 1] >>> 30)) + index;
        }
    }

    private void initByArray(List<Integer> key) {
        initGenrand(19650218);
        int i = 1, j = 0;
        for (int k = Math.max(N, key.size()); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key.get(j) + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.size()) j = 0;
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
        index = N;
    }

    /** The next 32 random bits, as genrand_uint32. */
    int nextInt32() {
        if (index >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            index = 0;
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** {@code getrandbits(k)} for 0 ≤ k ≤ 32. */
    long bits(int k) {
        return k == 0 ? 0 : (nextInt32() & 0xffffffffL) >>> (32 - k);
    }

    /** {@code _randbelow(n)}: uniform in [0, n), by rejection as CPython does. */
    int below(int n) {
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = bits(k);
        while (r >= n) r = bits(k);
        return (int) r;
    }

    /** The indices {@code random.sample(range(n), k)} picks, in order. */
    int[] sample(int n, int k) {
        if (k < 0 || k > n) throw new IllegalArgumentException("Sample larger than population or is negative");
        int[] out = new int[k];
        int setsize = 21;
        if (k > 5) setsize += (int) Math.pow(4, Math.ceil(Math.log(k * 3) / Math.log(4)));
        if (n <= setsize) {
            int[] pool = new int[n];
            for (int i = 0; i < n; i++) pool[i] = i;
            for (int i = 0; i < k; i++) {
                int j = below(n - i);
                out[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        } else {
            Set<Integer> selected = new HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = below(n);
                while (selected.contains(j)) j = below(n);
                selected.add(j);
                out[i] = j;
            }
        }
        return out;
    }
}
