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
