package dev.swan.toolkit.model;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mixture-of-experts projection weight by its Hugging Face name: one expert's slice
 * ({@code model.layers.3.mlp.experts.17.gate_proj.weight}, Mixtral's
 * {@code block_sparse_moe.experts.17.w1.weight}) or a stored stack of every expert
 * ({@code model.layers.3.mlp.experts.gate_proj.weight}, shape [E, out, in]). Mixtral's w1, w3 and w2 are
 * the gate, up and down projections.
 *
 * @param layer      decoder layer
 * @param block      the module holding the experts: {@code mlp} or {@code block_sparse_moe}
 * @param expert     the expert of a slice, or -1 for a stack
 * @param projection the checkpoint's spelling: gate_proj, up_proj, down_proj, w1, w3 or w2
 */
public record ExpertWeight(int layer, String block, int expert, String projection) {
    private static final Pattern NAME = Pattern.compile(
            "^model\\.layers\\.(\\d{1,9})\\.(mlp|block_sparse_moe)\\.experts\\.(?:(\\d{1,9})\\.)?(gate_proj|up_proj|down_proj|w1|w2|w3)\\.weight$");

    /** The expert weight {@code hf} names, if it is one. */
    public static Optional<ExpertWeight> parse(String hf) {
        Matcher m = NAME.matcher(hf);
        if (!m.matches()) return Optional.empty();
        int expert = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        return Optional.of(new ExpertWeight(Integer.parseInt(m.group(1)), m.group(2), expert, m.group(4)));
    }

    /** gate, up or down. */
    public String kind() {
        return switch (projection) {
            case "gate_proj", "w1" -> "gate";
            case "up_proj", "w3" -> "up";
            default -> "down";
        };
    }

    public boolean isStack() {
        return expert < 0;
    }

    /** The name of the stack this weight belongs to (itself for a stack). */
    public String stackName() {
        return "model.layers." + layer + "." + block + ".experts." + projection + ".weight";
    }

    /** The name of expert {@code e}'s slice of the same projection. */
    public String sliceName(int e) {
        return "model.layers." + layer + "." + block + ".experts." + e + "." + projection + ".weight";
    }

    /**
     * Per-expert slices among {@code items} grouped by the stack they form (stack name → slices in expert
     * order), stacks in the order their first slice appears; items that are not slices are left out.
     */
    public static <T> java.util.Map<String, java.util.List<T>> slicesByStack(java.util.List<T> items,
                                                                           java.util.function.Function<T, String> name) {
        java.util.Map<String, java.util.TreeMap<Integer, T>> byStack = new java.util.LinkedHashMap<>();
        for (T item : items) {
            parse(name.apply(item)).filter(x -> !x.isStack())
                    .ifPresent(x -> byStack.computeIfAbsent(x.stackName(), k -> new java.util.TreeMap<>()).put(x.expert(), item));
        }
        java.util.Map<String, java.util.List<T>> out = new java.util.LinkedHashMap<>();
        byStack.forEach((k, v) -> out.put(k, java.util.List.copyOf(v.values())));
        return out;
    }

    /** The checkpoint spelling of a projection kind in a block: Mixtral's w1/w3/w2, else gate_proj/up_proj/down_proj. */
    public static String spelling(String block, String kind) {
        if (block.equals("block_sparse_moe")) return kind.equals("gate") ? "w1" : kind.equals("up") ? "w3" : "w2";
        return kind + "_proj";
    }
}
