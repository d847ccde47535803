package dev.swan.allocator.threshold;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.model.TensorRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one protection rule set (after the SWAN method's protection list): every norm, MoE routers and
 * shared-expert gates, vision and projector modules stay in float, as do the reference's name patterns
 * for them. Embeddings, the output head and the user's --protect patterns are protected by a floor: at
 * least {@code protected_bits} (8 by default; 16 keeps them in float as the paper does), because a plan
 * that keeps a 150k-row embedding in float cannot reach the sizes users ask for. Sensitive patterns (none
 * by default) force ≥ 8 bits.
 */
final class ProtectionRules {
    /** The reference configuration's protected substrings (case-insensitive) that stay in float. */
    static final List<String> BUILT_IN = List.of("layernorm", "layer_norm", "norm.weight",
            "router.weight", "vision_model", "multi_modal_projector", "positional_embedding", "class_embedding",
            "patch_embedding");
    /** The reference's protected substrings that get the floor instead. */
    static final List<String> FLOORED = List.of("embed_tokens", "lm_head");

    private final List<Pattern> userProtected = new ArrayList<>();
    private final List<Pattern> userSensitive = new ArrayList<>();

    ProtectionRules(AllocationPolicy policy) {
        for (String p : policy.protectedPatterns()) userProtected.add(Pattern.compile(p));
        for (String p : policy.sensitivePatterns()) userSensitive.add(Pattern.compile(p));
    }

    /** The rule that keeps this tensor in float, e.g. {@code protected:norm}, or empty. */
    Optional<String> protectedBy(TensorAnalysis t) {
        TensorRole role = t.role();
        switch (role) {
            case NORM: case ROUTER: case VISION:
                return Optional.of("protected:" + role.label());
            default:
                break;
        }
        String lower = t.name().toLowerCase(Locale.ROOT);
        for (String s : BUILT_IN) {
            if (lower.contains(s)) return Optional.of("protected_pattern:" + s);
        }
        return Optional.empty();
    }

    /** The rule that gives this tensor the protection floor (embedding, head, --protect), or empty. */
    Optional<String> flooredBy(TensorAnalysis t) {
        if (t.role() == TensorRole.EMBEDDING || t.role() == TensorRole.LM_HEAD) {
            return Optional.of("protected:" + t.role().label());
        }
        String lower = t.name().toLowerCase(Locale.ROOT);
        for (String s : FLOORED) {
            if (lower.contains(s)) return Optional.of("protected_pattern:" + s);
        }
        for (Pattern p : userProtected) {
            if (p.matcher(t.name()).find()) return Optional.of("protected_pattern:" + p.pattern());
        }
        return Optional.empty();
    }

    Optional<String> sensitiveBy(TensorAnalysis t) {
        for (Pattern p : userSensitive) {
            if (p.matcher(t.name()).find()) return Optional.of("sensitive_pattern:" + p.pattern());
        }
        return Optional.empty();
    }
}
