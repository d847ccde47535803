package dev.swan.eval;

import dev.swan.api.ModelFormatException;
import dev.swan.api.StoredModel;
import dev.swan.api.StoredTensor;
import java.util.Arrays;

/** Looks up the tensors a forward pass needs, checking names and shapes with one clear line each. */
final class Weights {
    private final StoredModel model;

    Weights(StoredModel model) {
        this.model = model;
    }

    StoredTensor tensor(String name) {
        StoredTensor t = model.tensors().get(name);
        if (t == null) {
            throw new ModelFormatException(model.path(), name, "missing (the " + model.config().modelType()
                    + " forward pass needs it)");
        }
        return t;
    }

    /** A matrix of {@code rows} (any when negative) × {@code cols}. */
    StoredTensor matrix(String name, int rows, int cols) {
        StoredTensor t = tensor(name);
        long[] s = t.shape();
        if (rows == 1 && s.length == 1 && s[0] == cols) return t; // a one-row gate some files store as a vector
        if (s.length != 2 || s[1] != cols || (rows >= 0 && s[0] != rows)) {
            throw new ModelFormatException(model.path(), name, "shape " + Arrays.toString(s) + ", expected ["
                    + (rows >= 0 ? rows : "n") + ", " + cols + "] for this config");
        }
        return t;
    }

    /** A projection {@code <module>.weight} with its optional {@code .bias}. */
    Linear linear(String module, int out, int in) {
        StoredTensor w = matrix(module + ".weight", out, in);
        float[] bias = model.tensors().containsKey(module + ".bias") ? vector(module + ".bias", out) : null;
        return new Linear(w, bias);
    }

    /**
     * One expert's projection {@code sliceName} ({@code ...experts.E.gate_proj.weight}) with no bias: the
     * slice itself, or its rows of the stored [E, out, in] stack.
     */
    Linear expert(String sliceName, int out, int in) {
        if (model.tensors().containsKey(sliceName)) return new Linear(matrix(sliceName, out, in), null);
        dev.swan.toolkit.model.ExpertWeight x = dev.swan.toolkit.model.ExpertWeight.parse(sliceName).orElseThrow();
        StoredTensor stack = model.tensors().get(x.stackName());
        if (stack == null) {
            throw new ModelFormatException(model.path(), sliceName, "missing, and so is the stack " + x.stackName()
                    + " (the " + model.config().modelType() + " forward pass needs every expert)");
        }
        long[] s = stack.shape();
        if (s.length == 2 && x.expert() == 0 && s[0] == out && s[1] == in) return new Linear(stack, null); // a stack of one
        if (s.length != 3 || s[0] <= x.expert() || s[1] != out || s[2] != in) {
            throw new ModelFormatException(model.path(), x.stackName(), "shape " + Arrays.toString(s) + ", expected [E > "
                    + x.expert() + ", " + out + ", " + in + "] for this config");
        }
        return new Linear(new ExpertSlice(stack, sliceName, x.expert()), null);
    }

    /** Expert {@code e}'s rows of a stored stack, under the slice's own name. */
    private record ExpertSlice(StoredTensor stack, String name, int expert) implements StoredTensor {
        @Override
        public long[] shape() {
            return new long[] {stack.shape()[1], stack.shape()[2]};
        }

        @Override
        public String encoding() {
            return stack.encoding();
        }

        @Override
        public long storedBytes() {
            return stack.storedBytes() / stack.shape()[0];
        }

        @Override
        public void decodeRows(long first, int count, float[] dst) {
            stack.decodeRows(expert * stack.shape()[1] + first, count, dst);
        }
    }

    /** A 1-D tensor of {@code n} values, decoded now (norm weights, biases). */
    float[] vector(String name, int n) {
        StoredTensor t = tensor(name);
        if (t.shape().length != 1 || t.shape()[0] != n) {
            throw new ModelFormatException(model.path(), name, "shape " + Arrays.toString(t.shape()) + ", expected [" + n + "]");
        }
        float[] v = new float[n];
        t.decodeRows(0, 1, v);
        return v;
    }
}
