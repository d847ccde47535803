package dev.swan.format.gguf;

import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One GGUF tensor as a source's data, read row by row through positional reads in Hugging Face row order.
 * A float tensor's bytes are its stored bytes; a quantized one (read with --allow-requantize) is
 * dequantized as llama.cpp would and offered as little-endian F32; an F32 norm offered in the model's 16-bit
 * type (its values are exactly that type's) is narrowed without rounding.
 */
final class GgufTensorData implements TensorData {
    private final TensorInfo info;
    private final GgufStoredModel.Tensor stored;
    private final boolean raw;

    GgufTensorData(TensorInfo info, GgufStoredModel.Tensor stored) {
        this.info = info;
        this.stored = stored;
        this.raw = stored.info().type().name().equals(info.dtype().name());
    }

    @Override
    public TensorInfo info() {
        return info;
    }

    @Override
    public void readFloats(long first, float[] dst, int dstOffset, int count) {
        int cols = (int) info.cols();
        long row = first / cols;
        int skip = (int) (first % cols);
        if (skip == 0 && count % cols == 0 && dstOffset == 0) {
            stored.decodeRows(row, count / cols, dst);
            return;
        }
        float[] buf = new float[cols];
        int done = 0;
        while (done < count) {
            stored.decodeRows(row++, 1, buf);
            int n = Math.min(cols - skip, count - done);
            System.arraycopy(buf, skip, dst, dstOffset + done, n);
            done += n;
            skip = 0;
        }
    }

    @Override
    public void readBytes(long byteOffset, byte[] dst, int dstOffset, int length) {
        int rowBytes = (int) (info.cols() * info.dtype().size());
        long row = byteOffset / rowBytes;
        int skip = (int) (byteOffset % rowBytes);
        byte[] buf = new byte[rowBytes];
        float[] floats = raw ? null : new float[(int) info.cols()];
        int size = info.dtype().size();
        int done = 0;
        try {
            while (done < length) {
                if (raw) {
                    stored.readStoredRow(row, buf);
                } else {
                    stored.decodeRows(row, 1, floats);
                    for (int i = 0; i < floats.length; i++) {
                        int b = switch (info.dtype()) {
                            case BF16 -> dev.swan.toolkit.tensor.HalfFloats.f32ToBf16(floats[i]);
                            case F16 -> dev.swan.toolkit.tensor.HalfFloats.f32ToF16(floats[i]);
                            default -> Float.floatToRawIntBits(floats[i]);
                        };
                        for (int k = 0; k < size; k++) buf[size * i + k] = (byte) (b >>> (8 * k));
                    }
                }
                int n = Math.min(rowBytes - skip, length - done);
                System.arraycopy(buf, skip, dst, dstOffset + done, n);
                done += n;
                skip = 0;
                row++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(info.file() + ": cannot read " + info.name() + ": " + e.getMessage(), e);
        }
    }
}
