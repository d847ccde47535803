package dev.swan.api.model;

/**
 * The classification of one tensor name.
 *
 * @param role   what the tensor is for
 * @param layer  the decoder layer index ({@code layers.N}), or -1 outside the layer stack
 * @param expert the expert index for per-expert MoE weights ({@code experts.N}), or -1
 */
public record TensorClass(TensorRole role, int layer, int expert) {
}
