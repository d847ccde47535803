package dev.swan.format.gguf.quant;

import dev.swan.toolkit.tensor.HalfFloats;

/** F32, F16 and BF16 as "blocks" of one element, so every type goes through one interface. */
public final class FloatTypes {
    private FloatTypes() {
    }

    public static final BlockQuantizer F32 = new BlockQuantizer() {
        public int blockSize() {
            return 1;
        }

        public int blockBytes() {
            return 4;
        }

        public void quantize(float[] x, int xo, byte[] out, int oo) {
            int b = Float.floatToRawIntBits(x[xo]);
            out[oo] = (byte) b;
            out[oo + 1] = (byte) (b >>> 8);
            out[oo + 2] = (byte) (b >>> 16);
            out[oo + 3] = (byte) (b >>> 24);
        }

        public void dequantize(byte[] in, int io, float[] out, int oo) {
            out[oo] = Float.intBitsToFloat((in[io] & 0xff) | (in[io + 1] & 0xff) << 8 | (in[io + 2] & 0xff) << 16
                    | (in[io + 3] & 0xff) << 24);
        }
    };

    public static final BlockQuantizer F16 = new BlockQuantizer() {
        public int blockSize() {
            return 1;
        }

        public int blockBytes() {
            return 2;
        }

        public void quantize(float[] x, int xo, byte[] out, int oo) {
            QuantMath.putF16(out, oo, HalfFloats.f32ToF16(x[xo]));
        }

        public void dequantize(byte[] in, int io, float[] out, int oo) {
            out[oo] = HalfFloats.f16ToF32(QuantMath.getF16(in, io));
        }
    };

    public static final BlockQuantizer BF16 = new BlockQuantizer() {
        public int blockSize() {
            return 1;
        }

        public int blockBytes() {
            return 2;
        }

        public void quantize(float[] x, int xo, byte[] out, int oo) {
            QuantMath.putF16(out, oo, HalfFloats.f32ToBf16(x[xo]));
        }

        public void dequantize(byte[] in, int io, float[] out, int oo) {
            out[oo] = HalfFloats.bf16ToF32(QuantMath.getF16(in, io));
        }
    };
}
