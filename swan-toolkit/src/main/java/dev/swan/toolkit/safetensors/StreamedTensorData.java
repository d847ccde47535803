package dev.swan.toolkit.safetensors;

import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Tensor data read with positional reads instead of a mapping: for one pass over a whole model (analysis,
 * writing an output). Mapped pages stay in the process's resident set until the garbage collector happens
 * to unmap them, which for a pass over hundreds of gigabytes is unbounded; pages read this way live only in
 * the kernel's page cache. The bytes come from a {@link Source}: the shard's file channel, or a remote file
 * system's stream. Thread-safe when the source is: every call reads into its own buffer.
 */
public final class StreamedTensorData implements TensorData {
    private static final int MAX_READ = 1 << 18;
    private final TensorInfo info;
    private final Source source;
    private final String where;

    /** Bytes of the tensor's file at a position; safe to call from several threads at once. */
    @FunctionalInterface
    public interface Source {
        /**
         * Reads up to {@code dst.remaining()} bytes from {@code position} of the file into {@code dst} (a heap
         * buffer), advancing its position; returns the count, or -1 at the end of the file.
         */
        int read(ByteBuffer dst, long position) throws IOException;
    }

    StreamedTensorData(TensorInfo info, FileChannel channel) {
        this(info, channel::read, info.file().toString());
    }

    /**
     * @param info   the tensor, its {@link TensorInfo#dataStart()} an offset in the source's file
     * @param where  the file as the user knows it, for messages (a path or URI)
     */
    public StreamedTensorData(TensorInfo info, Source source, String where) {
        this.info = info;
        this.source = source;
        this.where = where;
    }

    @Override
    public TensorInfo info() {
        return info;
    }

    @Override
    public void readFloats(long first, float[] dst, int dstOffset, int count) {
        DType dtype = info.dtype();
        if (!dtype.isFloat()) {
            throw new UnsupportedOperationException(info.name() + " has dtype " + dtype + ", not a float type");
        }
        if (first < 0 || count < 0 || first + count > info.numel()) {
            throw new IndexOutOfBoundsException(info.name() + ": elements [" + first + ", " + (first + count)
                    + ") outside [0, " + info.numel() + ")");
        }
        int size = dtype.size();
        int perRead = MAX_READ / size;
        ByteBuffer buf = ByteBuffer.allocate(Math.min(count, perRead) * size).order(ByteOrder.LITTLE_ENDIAN);
        while (count > 0) {
            int n = Math.min(count, perRead);
            buf.clear().limit(n * size);
            read(buf, first * size);
            Decoding.toFloats(dtype, buf, 0, dst, dstOffset, n);
            count -= n;
            first += n;
            dstOffset += n;
        }
    }

    @Override
    public void readBytes(long byteOffset, byte[] dst, int dstOffset, int length) {
        if (byteOffset < 0 || length < 0 || byteOffset + length > info.byteSize()) {
            throw new IndexOutOfBoundsException(info.name() + ": bytes outside the tensor");
        }
        read(ByteBuffer.wrap(dst, dstOffset, length), byteOffset);
    }

    private void read(ByteBuffer buf, long tensorOffset) {
        long pos = info.dataStart() + tensorOffset;
        int start = buf.position();
        try {
            while (buf.hasRemaining()) {
                int r = source.read(buf, pos + buf.position() - start);
                if (r < 0) throw new EOFException(where + " ends inside " + info.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + info.name() + " from " + where, e);
        }
    }
}
