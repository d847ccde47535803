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
 * the kernel's page cache. Thread-safe: every call reads into its own buffer.
 */
final class StreamedTensorData implements TensorData {
    private static final int MAX_READ = 1 << 18;
    private final TensorInfo info;
    private final FileChannel channel;

    StreamedTensorData(TensorInfo info, FileChannel channel) {
        this.info = info;
        this.channel = channel;
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
                int r = channel.read(buf, pos + buf.position() - start);
                if (r < 0) throw new EOFException(info.file() + " ends inside " + info.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + info.name() + " from " + info.file(), e);
        }
    }
}
