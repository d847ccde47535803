package dev.swan.toolkit.safetensors;

import dev.swan.api.tensor.DType;
import dev.swan.toolkit.tensor.HalfFloats;
import dev.swan.toolkit.numeric.MatMul;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian float data (F32, F16, BF16, F64) in a buffer, widened to float32. */
final class Decoding {
    private Decoding() {
    }

    /** Elements widened per bulk copy: a small buffer reused across the call. */
    private static final int CHUNK = 8192;

    static void toFloats(DType dtype, ByteBuffer w, int at, float[] dst, int off, int n) {
        switch (dtype) {
            case F32:
                w.slice(at, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, off, n);
                break;
            case BF16: {
                // a bulk copy, then the shift in vector lanes: three times faster than one getShort per element
                short[] tmp = new short[Math.min(n, CHUNK)];
                for (int done = 0; done < n; done += tmp.length) {
                    int k = Math.min(tmp.length, n - done);
                    w.slice(at + 2 * done, 2 * k).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(tmp, 0, k);
                    MatMul.widenBf16(tmp, k, dst, off + done);
                }
                break;
            }
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
