package dev.swan.toolkit.tensor;

import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.util.List;

/**
 * Equal-shaped tensors (one layer's experts of one projection) read as one stack [E, ...] in their order,
 * as runtimes store experts: part e's elements follow part e - 1's, nothing is copied.
 *
 * @since SPI 1.3
 */
public final class StackedTensorData implements TensorData {
    private final List<TensorData> parts;
    private final TensorInfo info;
    private final long partElements;

    public StackedTensorData(String name, List<TensorData> parts) {
        this.parts = List.copyOf(parts);
        TensorInfo first = parts.get(0).info();
        long[] s = first.shape();
        long[] shape = new long[s.length + 1];
        shape[0] = parts.size();
        System.arraycopy(s, 0, shape, 1, s.length);
        this.partElements = first.numel();
        this.info = new TensorInfo(name, first.dtype(), shape, first.file(), first.dataStart(), first.byteSize() * parts.size());
    }

    @Override
    public TensorInfo info() {
        return info;
    }

    @Override
    public void readFloats(long first, float[] dst, int dstOffset, int count) {
        while (count > 0) {
            int part = (int) (first / partElements);
            long at = first % partElements;
            int n = (int) Math.min(count, partElements - at);
            parts.get(part).readFloats(at, dst, dstOffset, n);
            first += n;
            dstOffset += n;
            count -= n;
        }
    }

    @Override
    public void readBytes(long byteOffset, byte[] dst, int dstOffset, int length) {
        long partBytes = parts.get(0).info().byteSize();
        while (length > 0) {
            int part = (int) (byteOffset / partBytes);
            long at = byteOffset % partBytes;
            int n = (int) Math.min(length, partBytes - at);
            parts.get(part).readBytes(at, dst, dstOffset, n);
            byteOffset += n;
            dstOffset += n;
            length -= n;
        }
    }
}
