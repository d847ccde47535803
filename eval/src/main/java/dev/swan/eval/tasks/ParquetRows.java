package dev.swan.eval.tasks;

import dev.swan.eval.EvalException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of a Parquet file as JSON-like maps, for the task files the Hugging Face hub stores as Parquet
 * (allenai/ai2_arc, Rowan/hellaswag): strings, numbers, booleans, structs and lists of them (one level of
 * repetition), plain, dictionary or delta encoded, uncompressed, Snappy or gzip, data pages v1 and v2. What it
 * cannot read (zstd, nested lists, other physical types) is refused in one line.
 */
final class ParquetRows {
    /** One column of the schema: its path, levels and where its values go in a row. */
    private record Leaf(List<String> path, List<String> key, int type, int maxDef, int maxRep, int repeatedDef) {
    }

    /** More questions than any task has: a count above it is a damaged file, not a reason to allocate. */
    private static final int MAX_ROWS = 1 << 24;
    /** The largest page swan inflates. */
    private static final int MAX_PAGE = 1 << 28;
    private final Path file;
    private final byte[] data;

    private ParquetRows(Path file, byte[] data) {
        this.file = file;
        this.data = data;
    }

    static boolean isParquet(Path file) throws IOException {
        if (Files.size(file) < 12) return false;
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return new String(magic, StandardCharsets.ISO_8859_1).equals("PAR1");
        }
    }

    static List<Map<String, Object>> read(Path file) throws IOException {
        if (Files.size(file) > Integer.MAX_VALUE - 8) throw new EvalException(file + ": a Parquet task file larger than 2 GB");
        ParquetRows r = new ParquetRows(file, Files.readAllBytes(file));
        try {
            return r.rows();
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException | ClassCastException
                 | NullPointerException | NegativeArraySizeException | java.nio.BufferUnderflowException e) {
            String why = String.valueOf(e.getMessage()).replaceAll("\\p{Cntrl}", "?");
            throw new EvalException(file + ": not a Parquet file swan can read ("
                    + (why.length() > 160 ? why.substring(0, 160) + "..." : why) + ")");
        }
    }

    private EvalException refuse(String what) {
        return new EvalException(file + ": " + what + " (write the file with pyarrow's defaults, or as JSON Lines)");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> rows() {
        int n = data.length;
        if (n < 12 || !tail(n - 4).equals("PAR1")) throw new IllegalStateException("no PAR1 at the end");
        int footer = ByteBuffer.wrap(data, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (footer <= 0 || footer > n - 12) throw new IllegalStateException("footer length out of range");
        Map<Integer, Object> meta = new ThriftCompact(ByteBuffer.wrap(data, n - 8 - footer, footer)).struct();
        List<Object> schema = (List<Object>) meta.get(2);
        List<Leaf> leaves = new ArrayList<>();
        int[] at = {1};
        Map<Integer, Object> root = (Map<Integer, Object>) schema.get(0);
        int children = num(root.get(5));
        for (int c = 0; c < children; c++) schema(schema, at, new ArrayList<>(), new ArrayList<>(), 0, 0, 0, false, leaves);
        if (leaves.size() > schema.size()) throw new IllegalStateException("schema longer than its list");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object g : (List<Object>) meta.get(4)) {
            Map<Integer, Object> group = (Map<Integer, Object>) g;
            int rows = bounded(num(group.get(3)), MAX_ROWS, "rows in a row group");
            List<Map<String, Object>> records = new ArrayList<>();
            for (int i = 0; i < rows; i++) records.add(new LinkedHashMap<>());
            for (Object cc : (List<Object>) group.get(1)) {
                Map<Integer, Object> chunk = (Map<Integer, Object>) ((Map<Integer, Object>) cc).get(3);
                List<String> path = new ArrayList<>();
                for (Object p : (List<Object>) chunk.get(3)) path.add(new String((byte[]) p, StandardCharsets.UTF_8));
                Leaf leaf = leaves.stream().filter(l -> l.path().equals(path)).findFirst()
                        .orElseThrow(() -> new IllegalStateException("column " + path + " not in the schema"));
                List<Object> values = column(leaf, chunk, rows);
                for (int i = 0; i < rows; i++) put(records.get(i), leaf.key(), values.get(i));
            }
            out.addAll(records);
        }
        return out;
    }

    private String tail(int from) {
        return new String(data, from, 4, StandardCharsets.ISO_8859_1);
    }

    private static int num(Object v) {
        if (v == null) return 0;
        long x = (Long) v;
        if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) throw new IllegalStateException("a count out of range: " + x);
        return (int) x;
    }

    private static int bounded(int v, int max, String what) {
        if (v < 0 || v > max) throw new IllegalStateException(what + " out of range: " + v);
        return v;
    }

    /** Walks one schema element (and its children), depth first as Parquet lists them. */
    @SuppressWarnings("unchecked")
    private void schema(List<Object> schema, int[] at, List<String> path, List<String> key, int def, int rep, int repeatedDef,
                        boolean insideList, List<Leaf> leaves) {
        if (path.size() > 32) throw new IllegalStateException("schema nested deeper than 32 levels");
        Map<Integer, Object> e = (Map<Integer, Object>) schema.get(at[0]++);
        String name = new String((byte[]) e.get(4), StandardCharsets.UTF_8);
        int repetition = num(e.get(3));
        List<String> p = new ArrayList<>(path);
        p.add(name);
        List<String> k = new ArrayList<>(key);
        if (!insideList) k.add(name);
        if (repetition == 1) def++;
        if (repetition == 2) {
            def++;
            rep++;
            repeatedDef = def;
        }
        int children = num(e.get(5));
        boolean list = Long.valueOf(3).equals(e.get(6)) || e.get(10) instanceof Map<?, ?> lt && lt.containsKey(3);
        if (children == 0) {
            leaves.add(new Leaf(p, k, num(e.get(1)), def, rep, repeatedDef));
            return;
        }
        // a LIST group's repeated child and that child's element carry no name of their own in the row
        boolean childInside = list || insideList && repetition == 2;
        for (int c = 0; c < children; c++) schema(schema, at, p, k, def, rep, repeatedDef, childInside, leaves);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> record, List<String> key, Object value) {
        Map<String, Object> m = record;
        for (int i = 0; i + 1 < key.size(); i++) {
            m = (Map<String, Object>) m.computeIfAbsent(key.get(i), x -> new LinkedHashMap<String, Object>());
        }
        m.put(key.get(key.size() - 1), value);
    }

    /** A column chunk's value for each row: a scalar, or a list where the column repeats. */
    @SuppressWarnings("unchecked")
    private List<Object> column(Leaf leaf, Map<Integer, Object> chunk, int rows) {
        if (leaf.maxRep() > 1) throw refuse("column " + String.join(".", leaf.path()) + " nests lists in lists, which is not supported");
        int codec = num(chunk.get(4));
        long total = (Long) chunk.get(5);
        long dictionaryOffset = chunk.get(11) == null ? -1 : (Long) chunk.get(11);
        long dataOffset = (Long) chunk.get(9);
        int pos = (int) (dictionaryOffset > 0 && dictionaryOffset < dataOffset ? dictionaryOffset : dataOffset);
        Object[] dictionary = null;
        List<Object> out = new ArrayList<>(rows);
        List<Object> current = null;
        long read = 0;
        while (read < total) {
            ByteBuffer buf = ByteBuffer.wrap(data, pos, data.length - pos);
            Map<Integer, Object> header = new ThriftCompact(buf).struct();
            int body = buf.position();
            int pageType = num(header.get(1));
            int size = bounded(num(header.get(2)), MAX_PAGE, "page size");
            int compressed = bounded(num(header.get(3)), data.length - body, "compressed page size");
            pos = body + compressed;
            if (pageType == 2) {
                Map<Integer, Object> h = (Map<Integer, Object>) header.get(7);
                byte[] page = decompress(codec, body, compressed, size);
                int count = bounded(num(h.get(1)), MAX_ROWS, "dictionary entries");
                dictionary = plain(ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN), leaf.type(), count);
                continue;
            }
            if (pageType != 0 && pageType != 3) continue;
            int count;
            int[] reps;
            int[] defs;
            ByteBuffer values;
            int encoding;
            if (pageType == 0) {
                Map<Integer, Object> h = (Map<Integer, Object>) header.get(5);
                count = bounded(num(h.get(1)), MAX_ROWS, "values in a page");
                encoding = num(h.get(2));
                ByteBuffer page = ByteBuffer.wrap(decompress(codec, body, compressed, size)).order(ByteOrder.LITTLE_ENDIAN);
                reps = leaf.maxRep() > 0 ? levels(page, page.getInt(), leaf.maxRep(), count) : null;
                defs = leaf.maxDef() > 0 ? levels(page, page.getInt(), leaf.maxDef(), count) : null;
                values = page.slice().order(ByteOrder.LITTLE_ENDIAN);
            } else {
                Map<Integer, Object> h = (Map<Integer, Object>) header.get(8);
                count = bounded(num(h.get(1)), MAX_ROWS, "values in a page");
                encoding = num(h.get(4));
                int defLength = bounded(num(h.get(5)), compressed, "definition levels' length");
                int repLength = bounded(num(h.get(6)), compressed - defLength, "repetition levels' length");
                boolean isCompressed = !Boolean.FALSE.equals(h.get(7));
                ByteBuffer raw = ByteBuffer.wrap(data, body, compressed).order(ByteOrder.LITTLE_ENDIAN);
                reps = leaf.maxRep() > 0 ? levels(raw, repLength, leaf.maxRep(), count) : null;
                defs = leaf.maxDef() > 0 ? levels(raw, defLength, leaf.maxDef(), count) : null;
                int start = body + repLength + defLength;
                int left = compressed - repLength - defLength;
                values = ByteBuffer.wrap(decompress(isCompressed ? codec : 0, start, left, size - repLength - defLength))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            int present = 0;
            for (int i = 0; i < count; i++) if (defs == null || defs[i] == leaf.maxDef()) present++;
            Object[] vals;
            if (encoding == 0) {
                vals = plain(values, leaf.type(), present);
            } else if (encoding == 2 || encoding == 8) {
                if (dictionary == null) throw new IllegalStateException("a dictionary-encoded page without a dictionary");
                int width = bounded(values.get() & 0xff, 32, "bit width");
                int[] idx = hybrid(values, width, present);
                vals = new Object[present];
                for (int i = 0; i < present; i++) vals[i] = dictionary[idx[i]];
            } else if (encoding == 5 && (leaf.type() == 1 || leaf.type() == 2)) {
                long[] ints = deltaBinaryPacked(values, present);
                vals = new Object[present];
                for (int i = 0; i < present; i++) vals[i] = ints[i];
            } else if (encoding == 6 && leaf.type() == 6) {
                long[] lengths = deltaBinaryPacked(values, present);
                vals = new Object[present];
                for (int i = 0; i < present; i++) vals[i] = utf8(values, (int) lengths[i]);
            } else if (encoding == 7 && leaf.type() == 6) {
                long[] prefixes = deltaBinaryPacked(values, present);
                long[] suffixes = deltaBinaryPacked(values, present);
                vals = new Object[present];
                String previous = "";
                for (int i = 0; i < present; i++) {
                    byte[] head = previous.getBytes(StandardCharsets.UTF_8);
                    if (prefixes[i] < 0 || prefixes[i] > head.length || suffixes[i] < 0 || suffixes[i] > values.remaining()) {
                        throw new IllegalStateException("a delta string out of range");
                    }
                    byte[] b = new byte[(int) (prefixes[i] + suffixes[i])];
                    System.arraycopy(head, 0, b, 0, (int) prefixes[i]);
                    values.get(b, (int) prefixes[i], (int) suffixes[i]);
                    previous = new String(b, StandardCharsets.UTF_8);
                    vals[i] = previous;
                }
            } else {
                throw refuse("column " + String.join(".", leaf.path()) + " uses encoding " + encoding
                        + ", which is not supported (plain, dictionary and the delta encodings are)");
            }
            int v = 0;
            for (int i = 0; i < count; i++) {
                int d = defs == null ? leaf.maxDef() : defs[i];
                Object value = d == leaf.maxDef() ? vals[v++] : null;
                if (leaf.maxRep() == 0) {
                    out.add(value);
                    continue;
                }
                if (reps[i] == 0) {
                    current = d >= leaf.repeatedDef() - 1 ? new ArrayList<>() : null;
                    out.add(current);
                }
                if (d >= leaf.repeatedDef() && current != null) current.add(value);
            }
            read += count;
        }
        if (out.size() != rows) throw new IllegalStateException("column " + leaf.path() + " has " + out.size() + " rows, not " + rows);
        return out;
    }

    private byte[] decompress(int codec, int from, int length, int size) {
        switch (codec) {
            case 0:
                return java.util.Arrays.copyOfRange(data, from, from + length);
            case 1:
                return Snappy.decompress(data, from, length, size);
            case 2: {
                try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(data, from, length))) {
                    byte[] out = in.readNBytes(size + 1);
                    if (out.length != size) throw new IllegalStateException("gzip: " + out.length + " bytes, the page says " + size);
                    return out;
                } catch (IOException e) {
                    throw new IllegalStateException("gzip: " + e.getMessage());
                }
            }
            default:
                throw refuse("compression codec " + codec + (codec == 6 ? " (zstd)" : "") + " is not supported (none, Snappy and gzip are)");
        }
    }

    /** {@code count} levels of bit width for {@code max}, from the next {@code length} bytes. */
    private static int[] levels(ByteBuffer in, int length, int max, int count) {
        if (length < 0 || length > in.remaining()) throw new IllegalStateException("levels run past the page");
        ByteBuffer part = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        part.limit(length);
        in.position(in.position() + length);
        return hybrid(part, 32 - Integer.numberOfLeadingZeros(max), count);
    }

    /** Parquet's RLE / bit-packing hybrid: {@code count} values of {@code width} bits. */
    private static int[] hybrid(ByteBuffer in, int width, int count) {
        if (width > 32) throw new IllegalStateException("bit width " + width);
        int[] out = new int[count];
        int n = 0;
        while (n < count) {
            long header = ThriftCompact.varint(in);
            if ((header & 1) == 1) {
                int values = (int) (header >>> 1) * 8;
                long acc = 0;
                int bits = 0;
                for (int i = 0; i < values; i++) {
                    while (bits < width) {
                        acc |= (long) (in.get() & 0xff) << bits;
                        bits += 8;
                    }
                    int v = (int) (acc & ((1L << width) - 1));
                    acc >>>= width;
                    bits -= width;
                    if (n < count) out[n++] = v;
                }
            } else {
                int run = (int) (header >>> 1);
                int v = 0;
                for (int i = 0; i < (width + 7) / 8; i++) v |= (in.get() & 0xff) << (8 * i);
                for (int i = 0; i < run && n < count; i++) out[n++] = v;
            }
        }
        return out;
    }

    private static String utf8(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) throw new IllegalStateException("a string runs past the page");
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** DELTA_BINARY_PACKED: blocks of bit-packed miniblocks of deltas above each block's smallest. */
    private static long[] deltaBinaryPacked(ByteBuffer in, int count) {
        int blockSize = (int) ThriftCompact.varint(in);
        int miniblocks = (int) ThriftCompact.varint(in);
        int total = (int) ThriftCompact.varint(in);
        long value = ThriftCompact.zigzag(ThriftCompact.varint(in));
        if (miniblocks <= 0 || miniblocks > 256 || blockSize <= 0 || blockSize > 1 << 16 || blockSize % miniblocks != 0
                || total < 0 || total > MAX_ROWS) {
            throw new IllegalStateException("bad delta header");
        }
        int perMini = blockSize / miniblocks;
        long[] out = new long[Math.max(count, 0)];
        int n = 0;
        if (total > 0 && n < count) out[n++] = value;
        int left = total - 1;
        while (left > 0) {
            long minDelta = ThriftCompact.zigzag(ThriftCompact.varint(in));
            int[] widths = new int[miniblocks];
            for (int m = 0; m < miniblocks; m++) widths[m] = bounded(in.get() & 0xff, 64, "bit width");
            for (int m = 0; m < miniblocks && left > 0; m++) {
                long acc = 0;
                int bits = 0;
                int w = widths[m];
                for (int i = 0; i < perMini; i++) {
                    while (bits < w) {
                        acc |= (long) (in.get() & 0xff) << bits;
                        bits += 8;
                    }
                    long d = w == 0 ? 0 : acc & (w == 64 ? -1L : (1L << w) - 1);
                    acc = w == 64 ? 0 : acc >>> w;
                    bits -= w;
                    if (left > 0) {
                        value += minDelta + d;
                        if (n < count) out[n++] = value;
                        left--;
                    }
                }
            }
        }
        return out;
    }

    /** {@code count} plain-encoded values of a physical type. */
    private Object[] plain(ByteBuffer in, int type, int count) {
        Object[] out = new Object[count];
        switch (type) {
            case 0 -> {
                int bit = 0;
                int cur = 0;
                for (int i = 0; i < count; i++) {
                    if (bit == 0) cur = in.get() & 0xff;
                    out[i] = ((cur >>> bit) & 1) == 1;
                    bit = (bit + 1) & 7;
                }
            }
            case 1 -> {
                for (int i = 0; i < count; i++) out[i] = (long) in.getInt();
            }
            case 2 -> {
                for (int i = 0; i < count; i++) out[i] = in.getLong();
            }
            case 4 -> {
                for (int i = 0; i < count; i++) out[i] = (double) in.getFloat();
            }
            case 5 -> {
                for (int i = 0; i < count; i++) out[i] = in.getDouble();
            }
            case 6 -> {
                for (int i = 0; i < count; i++) out[i] = utf8(in, in.getInt());
            }
            default -> throw refuse("physical type " + type + " is not supported (boolean, int32, int64, float, double and strings are)");
        }
        return out;
    }
}
