package dev.swan.api.tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where one tensor lives: name, element type, shape, and its byte span inside a shard file.
 *
 * @param name      the tensor name as stored (e.g. {@code model.layers.0.mlp.down_proj.weight})
 * @param dtype     element type
 * @param shape     dimensions, outermost first (PyTorch order); copied, never shared
 * @param file      the shard file that holds the data
 * @param dataStart absolute byte offset of the first element in {@code file}
 * @param byteSize  number of data bytes (= elements × dtype size)
 */
public record TensorInfo(String name, DType dtype, long[] shape, Path file, long dataStart, long byteSize) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Length of the innermost dimension (the row length), 1 for a scalar. */
    public long cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** Number of rows when the tensor is seen as 2-D: all dimensions but the last multiplied. */
    public long rows() {
        long n = 1;
        for (int i = 0; i < shape.length - 1; i++) n *= shape[i];
        return n;
    }

    public List<Long> shapeList() {
        return Arrays.stream(shape).boxed().collect(Collectors.toUnmodifiableList());
    }

    public String shapeString() {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x", "[", "]"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && file.equals(t.file)
                && dataStart == t.dataStart && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}
