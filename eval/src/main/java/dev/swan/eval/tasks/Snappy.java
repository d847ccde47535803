package dev.swan.eval.tasks;

/** Snappy's raw block format (what Parquet's SNAPPY codec stores per page), decompressed. */
final class Snappy {
    private Snappy() {
    }

    /** The block at in[from, from + length), which must inflate to {@code expected} bytes. */
    static byte[] decompress(byte[] in, int from, int length, int expected) {
        int p = from, end = from + length;
        long size = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in[p++] & 0xff;
            size |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
            if (shift > 28) throw new IllegalStateException("snappy: bad length");
        }
        if (size != expected) throw new IllegalStateException("snappy: the block says " + size + " bytes, the page " + expected);
        byte[] out = new byte[(int) size];
        int o = 0;
        while (p < end) {
            int tag = in[p++] & 0xff;
            int kind = tag & 3;
            if (kind == 0) {
                int len = tag >>> 2;
                if (len >= 60) {
                    int bytes = len - 59;
                    len = 0;
                    for (int i = 0; i < bytes; i++) len |= (in[p++] & 0xff) << (8 * i);
                }
                len++;
                if (len > end - p || len > out.length - o) throw new IllegalStateException("snappy: a literal runs past the block");
                System.arraycopy(in, p, out, o, len);
                p += len;
                o += len;
                continue;
            }
            int len, offset;
            if (kind == 1) {
                len = ((tag >>> 2) & 7) + 4;
                offset = ((tag >>> 5) << 8) | (in[p++] & 0xff);
            } else if (kind == 2) {
                len = (tag >>> 2) + 1;
                offset = (in[p] & 0xff) | (in[p + 1] & 0xff) << 8;
                p += 2;
            } else {
                len = (tag >>> 2) + 1;
                offset = (in[p] & 0xff) | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16 | (in[p + 3] & 0xff) << 24;
                p += 4;
            }
            if (offset <= 0 || offset > o || len > out.length - o) throw new IllegalStateException("snappy: a copy outside the block");
            for (int i = 0; i < len; i++) out[o + i] = out[o - offset + i]; // overlapping copies repeat bytes
            o += len;
        }
        if (o != out.length) throw new IllegalStateException("snappy: " + o + " of " + out.length + " bytes");
        return out;
    }
}
