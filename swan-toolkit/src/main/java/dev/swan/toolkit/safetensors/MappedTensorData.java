package dev.swan.toolkit.safetensors;

import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Tensor data read from a memory-mapped file. The tensor's byte span is mapped lazily in windows of at
 * most {@code windowBytes} (a multiple of 8, so no element straddles two windows), which lifts the 2 GB
 * limit of a single {@link java.nio.MappedByteBuffer}.
 */
final class MappedTensorData implements TensorData {
    private final TensorInfo info;
    private final FileChannel channel;
    private final long windowBytes;
    private final AtomicReferenceArray<ByteBuffer> windows;

    MappedTensorData(TensorInfo info, FileChannel channel, long windowBytes) {
        if (windowBytes <= 0 || windowBytes % 8 != 0 || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window size must be a positive multiple of 8 below 2 GB");
        }
        this.info = info;
        this.channel = channel;
        this.windowBytes = windowBytes;
        long count = (info.byteSize() + windowBytes - 1) / windowBytes;
        this.windows = new AtomicReferenceArray<>((int) Math.max(count, 1));
    }

    @Override
    public TensorInfo info() {
        return info;
    }

    private ByteBuffer window(int k) {
        ByteBuffer w = windows.get(k);
        if (w == null) {
            long start = (long) k * windowBytes;
            long len = Math.min(windowBytes, info.byteSize() - start);
            try {
                w = channel.map(FileChannel.MapMode.READ_ONLY, info.dataStart() + start, len)
                        .order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot map " + info.name() + " in " + info.file(), e);
            }
            if (!windows.compareAndSet(k, null, w)) w = windows.get(k);
        }
        return w;
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
        long byteOff = first * size;
        while (count > 0) {
            int k = (int) (byteOff / windowBytes);
            int inWin = (int) (byteOff % windowBytes);
            ByteBuffer w = window(k);
            int n = Math.min(count, (w.limit() - inWin) / size);
            Decoding.toFloats(dtype, w, inWin, dst, dstOffset, n);
            count -= n;
            dstOffset += n;
            byteOff += (long) n * size;
        }
    }

    @Override
    public void readBytes(long byteOffset, byte[] dst, int dstOffset, int length) {
        if (byteOffset < 0 || length < 0 || byteOffset + length > info.byteSize()) {
            throw new IndexOutOfBoundsException(info.name() + ": bytes outside the tensor");
        }
        while (length > 0) {
            int k = (int) (byteOffset / windowBytes);
            int inWin = (int) (byteOffset % windowBytes);
            ByteBuffer w = window(k);
            int n = Math.min(length, w.limit() - inWin);
            w.get(inWin, dst, dstOffset, n);
            length -= n;
            dstOffset += n;
            byteOffset += n;
        }
    }
}
