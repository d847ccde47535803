package dev.swan.format.mlx;

/**
 * MLX's packing (mlx's mlx/ops.cpp and its CPU quantize kernel): each row is one little-endian bit stream, element i at stream bits
 * [i·bits, (i+1)·bits), least significant bit first; the stream is stored as uint32 words. One rule
 * for every width (2, 3, 4, 5, 6, 8), including the widths that straddle bytes.
 */
final class BitPacker {
    private BitPacker() {
    }

    /** Packs {@code n} codes from {@code codes[off..]} into {@code out[outOff..]} as little-endian bytes. */
    static void pack(int[] codes, int off, int n, int bits, byte[] out, int outOff) {
        if (bits == 4) { // the common case: two codes per byte, low nibble first
            for (int j = 0; j < n / 2; j++) out[outOff + j] = (byte) (codes[off + 2 * j] | (codes[off + 2 * j + 1] << 4));
            return;
        }
        if (bits == 8) {
            for (int j = 0; j < n; j++) out[outOff + j] = (byte) codes[off + j];
            return;
        }
        int bytes = n * bits / 8;
        java.util.Arrays.fill(out, outOff, outOff + bytes, (byte) 0);
        long acc = 0;
        int accBits = 0;
        int o = outOff;
        for (int i = 0; i < n; i++) {
            acc |= (long) codes[off + i] << accBits;
            accBits += bits;
            while (accBits >= 8) {
                out[o++] = (byte) acc;
                acc >>>= 8;
                accBits -= 8;
            }
        }
        if (accBits > 0) out[o] = (byte) acc;
    }

    /** Reads code {@code i} back from a packed row starting at {@code rowOff}. */
    static int unpack(byte[] row, int rowOff, int i, int bits) {
        long bitPos = (long) i * bits;
        int byteIdx = rowOff + (int) (bitPos >>> 3);
        int shift = (int) (bitPos & 7);
        int v = (row[byteIdx] & 0xff) >>> shift;
        int got = 8 - shift;
        int k = 1;
        while (got < bits) {
            v |= (row[byteIdx + k] & 0xff) << got;
            got += 8;
            k++;
        }
        return v & ((1 << bits) - 1);
    }
}
