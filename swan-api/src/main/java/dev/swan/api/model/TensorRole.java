package dev.swan.api.model;

/** What a tensor is for, decided from its name by {@link TensorClassifier}. */
public enum TensorRole {
    EMBEDDING, LM_HEAD,
    ATTN_Q, ATTN_K, ATTN_V, ATTN_O,
    MLP_GATE, MLP_UP, MLP_DOWN,
    NORM, ROUTER, EXPERT_STACK, BIAS, VISION, OTHER;

    /** Lower-case label used in tables and manifests, e.g. {@code attn_q}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
