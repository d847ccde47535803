package dev.swan.toolkit.safetensors;

import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import java.nio.ByteBuffer;

/** Little-endian float data (F32, F16, BF16, F64) in a buffer, widened to float32. */
final class Decoding {
    private Decoding() {
    }

    static void toFloats(DType dtype, ByteBuffer w, int at, float[] dst, int off, int n) {
        switch (dtype) {
            case F32:
                for (int i = 0; i < n; i++) dst[off + i] = w.getFloat(at + 4 * i);
                break;
            case BF16:
                for (int i = 0; i < n; i++) dst[off + i] = Float.intBitsToFloat((w.getShort(at + 2 * i) & 0xffff) << 16);
                break;
            case F16:
                for (int i = 0; i < n; i++) dst[off + i] = HalfFloats.f16ToF32(w.getShort(at + 2 * i));
                break;
            case F64:
                for (int i = 0; i < n; i++) dst[off + i] = (float) w.getDouble(at + 8 * i);
                break;
            default:
                throw new AssertionError(dtype);
        }
    }

}
