package dev.swan.toolkit.safetensors;

import dev.swan.api.ModelFormatException;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, opened for reading. Opening reads and validates the header only (the rules of
 * the Hugging Face reference reader: header ≤ 100 MB and inside the file, a UTF-8 JSON object, known
 * dtypes, shape × dtype size = byte span, spans that tile the data area from 0 with no gap, overlap or
 * trailing byte). Tensor data is memory-mapped on demand.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference reader's limit on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Default mapping window: 1 GiB. */
    public static final long DEFAULT_WINDOW_BYTES = 1L << 30;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;
    private final long windowBytes;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, String> metadata,
                            Map<String, TensorInfo> tensors, long windowBytes) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
        this.windowBytes = windowBytes;
    }

    public static SafetensorsFile open(Path file) {
        return open(file, DEFAULT_WINDOW_BYTES);
    }

    /** Opens with a given mapping window (tests use small windows to exercise window boundaries). */
    public static SafetensorsFile open(Path file, long windowBytes) {
        FileChannel ch;
        dev.swan.toolkit.io.InputFiles.requireRegular(file);
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, null, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, null, "cannot open: " + e.getMessage(), e);
        }
        try {
            SafetensorsFile f = readHeader(file, ch, windowBytes);
            return f;
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafetensorsFile readHeader(Path file, FileChannel ch, long windowBytes) {
        long fileSize;
        try {
            fileSize = ch.size();
            if (fileSize < 8) {
                throw new ModelFormatException(file, null, "truncated: " + fileSize
                        + " bytes, too short for a safetensors header (re-download the file)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > MAX_HEADER_BYTES) {
                throw new ModelFormatException(file, null, "header length " + Long.toUnsignedString(n)
                        + " is outside 2.." + MAX_HEADER_BYTES + " bytes: not a safetensors file, or corrupt");
            }
            if (8 + n > fileSize) {
                throw new ModelFormatException(file, null, "header length " + n + " is larger than the file ("
                        + fileSize + " bytes): the file is truncated or not safetensors");
            }
            ByteBuffer hdr = ByteBuffer.allocate((int) n);
            readFully(ch, hdr, 8);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(hdr.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new ModelFormatException(file, null, "header is not valid UTF-8");
            }
            Object parsed;
            try {
                parsed = Json.parse(json);
            } catch (JsonParseException e) {
                throw new ModelFormatException(file, null, "header is not valid JSON: " + e.getMessage());
            }
            if (!(parsed instanceof Map)) {
                throw new ModelFormatException(file, null, "header is JSON but not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> header = (Map<String, Object>) parsed;
            long dataStart = 8 + n;
            long dataSize = fileSize - dataStart;
            return build(file, ch, header, dataStart, dataSize, windowBytes);
        } catch (IOException e) {
            throw new ModelFormatException(file, null, "read error: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile build(Path file, FileChannel ch, Map<String, Object> header, long dataStart,
                                         long dataSize, long windowBytes) {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> spans = new ArrayList<>();
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map)) {
                    throw new ModelFormatException(file, "__metadata__", "must be an object of strings");
                }
                for (Map.Entry<?, ?> m : ((Map<?, ?>) e.getValue()).entrySet()) {
                    if (!(m.getValue() instanceof String)) {
                        throw new ModelFormatException(file, "__metadata__." + m.getKey(), "value must be a string");
                    }
                    metadata.put((String) m.getKey(), (String) m.getValue());
                }
                continue;
            }
            if (!(e.getValue() instanceof Map)) {
                throw new ModelFormatException(file, name, "tensor entry must be an object with dtype, shape, data_offsets");
            }
            Map<?, ?> t = (Map<?, ?>) e.getValue();
            Object dt = t.get("dtype");
            if (!(dt instanceof String)) throw new ModelFormatException(file, name, "missing or non-string dtype");
            DType dtype = DType.fromSafetensors((String) dt).orElseThrow(() -> new ModelFormatException(file, name,
                    "unknown dtype '" + dt + "' (known: F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL F8_*)"));
            long[] shape = longArray(file, name, "shape", t.get("shape"), -1);
            long[] offs = longArray(file, name, "data_offsets", t.get("data_offsets"), 2);
            long begin = offs[0];
            long end = offs[1];
            if (begin > end) {
                throw new ModelFormatException(file, name, "data_offsets [" + begin + ", " + end + "] run backwards");
            }
            if (end > dataSize) {
                throw new ModelFormatException(file, name, "data_offsets end " + end
                        + " is beyond the data area (" + dataSize + " bytes): file truncated?");
            }
            long expected;
            try {
                long numel = 1;
                for (long d : shape) numel = Math.multiplyExact(numel, d);
                expected = Math.multiplyExact(numel, (long) dtype.size());
            } catch (ArithmeticException overflow) {
                throw new ModelFormatException(file, name, "shape " + java.util.Arrays.toString(shape) + " is too large");
            }
            if (end - begin != expected) {
                throw new ModelFormatException(file, name, "shape " + java.util.Arrays.toString(shape) + " × " + dtype
                        + " needs " + expected + " bytes but data_offsets span " + (end - begin));
            }
            spans.add(new long[] {begin, end, infos.size()});
            infos.add(new TensorInfo(name, dtype, shape, file, dataStart + begin, end - begin));
        }
        spans.sort(Comparator.comparingLong((long[] s) -> s[0]).thenComparingLong(s -> s[1]));
        long expectedBegin = 0;
        for (long[] s : spans) {
            String name = infos.get((int) s[2]).name();
            if (s[0] < expectedBegin) {
                throw new ModelFormatException(file, name, "data_offsets overlap the previous tensor (begins at "
                        + s[0] + ", previous ends at " + expectedBegin + ")");
            }
            if (s[0] > expectedBegin) {
                throw new ModelFormatException(file, name, "gap of " + (s[0] - expectedBegin)
                        + " bytes before this tensor's data (offsets must be contiguous)");
            }
            expectedBegin = s[1];
        }
        if (expectedBegin != dataSize) {
            throw new ModelFormatException(file, null, (dataSize - expectedBegin)
                    + " bytes after the last tensor: trailing data is not allowed");
        }
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (long[] s : spans) {
            TensorInfo ti = infos.get((int) s[2]);
            byName.put(ti.name(), ti);
        }
        return new SafetensorsFile(file, ch, dataStart, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(byName), windowBytes);
    }

    private static long[] longArray(Path file, String name, String key, Object v, int requiredLength) {
        if (!(v instanceof List)) throw new ModelFormatException(file, name, key + " must be an array of integers");
        List<?> l = (List<?>) v;
        if (requiredLength >= 0 && l.size() != requiredLength) {
            throw new ModelFormatException(file, name, key + " must have " + requiredLength + " entries");
        }
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long) || (Long) l.get(i) < 0) {
                throw new ModelFormatException(file, name, key + " must hold non-negative integers");
            }
            out[i] = (Long) l.get(i);
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    public Path file() {
        return file;
    }

    /** Absolute offset of the data area (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensors in data order (by offset). */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public TensorData data(TensorInfo info) {
        if (!info.file().equals(file)) throw new IllegalArgumentException(info.name() + " is not in " + file);
        return new MappedTensorData(info, channel, windowBytes);
    }

    /** The same data through positional reads (no mapping): for single passes over large files. */
    public TensorData stream(TensorInfo info) {
        if (!info.file().equals(file)) throw new IllegalArgumentException(info.name() + " is not in " + file);
        return new StreamedTensorData(info, channel);
    }

    public TensorData data(String name) {
        TensorInfo ti = tensors.get(name);
        if (ti == null) throw new ModelFormatException(file, name, "no such tensor in this file");
        return data(ti);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }
}
