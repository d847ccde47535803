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
 * The one protection rule set (swan-method §3.3 and §7 item 10): embeddings, lm_head, every norm, MoE
 * routers and shared-expert gates, vision and projector modules stay in float; so do the reference's
 * name patterns, and any pattern the user adds. Sensitive patterns (none by default) force ≥ 8 bits.
 */
final class ProtectionRules {
    /** The reference configuration's protected substrings (case-insensitive). */
    static final List<String> BUILT_IN = List.of("embed_tokens", "lm_head", "layernorm", "layer_norm", "norm.weight",
            "router.weight", "vision_model", "multi_modal_projector", "positional_embedding", "class_embedding",
            "patch_embedding");

    private final List<Pattern> userProtected = new ArrayList<>();
    private final List<Pattern> userSensitive = new ArrayList<>();

    ProtectionRules(AllocationPolicy policy) {
        for (String p : policy.protectedPatterns()) userProtected.add(Pattern.compile(p));
        for (String p : policy.sensitivePatterns()) userSensitive.add(Pattern.compile(p));
    }

    /** The rule that protects this tensor, e.g. {@code protected:embedding}, or empty. */
    Optional<String> protectedBy(TensorAnalysis t) {
        TensorRole role = t.role();
        switch (role) {
            case EMBEDDING: case LM_HEAD: case NORM: case ROUTER: case VISION:
                return Optional.of("protected:" + role.label());
            default:
                break;
        }
        String lower = t.name().toLowerCase(Locale.ROOT);
        for (String s : BUILT_IN) {
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
