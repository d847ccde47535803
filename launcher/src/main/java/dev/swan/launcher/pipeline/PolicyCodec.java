package dev.swan.launcher.pipeline;

import dev.swan.api.AllocationPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Allocation policy to and from manifest JSON. */
final class PolicyCodec {
    private PolicyCodec() {
    }

    static Map<String, Object> encode(AllocationPolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protected", p.protectedPatterns());
        m.put("sensitive", p.sensitivePatterns());
        List<Map<String, Object>> ov = new ArrayList<>();
        for (AllocationPolicy.Override o : p.overrides()) {
            ov.add(dev.swan.toolkit.json.Json.object("pattern", o.pattern(), "bits", o.bits(), "group_size", o.groupSize()));
        }
        m.put("overrides", ov);
        Map<String, Object> g = new LinkedHashMap<>();
        p.groupSizes().forEach((b, s) -> g.put(String.valueOf(b), s));
        m.put("group_sizes", g);
        if (p.target() != null) {
            m.put("target", p.target().effectiveBits() > 0 ? dev.swan.toolkit.json.Json.object("effective_bits", p.target().effectiveBits())
                    : dev.swan.toolkit.json.Json.object("bytes", p.target().bytes()));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static AllocationPolicy decode(Map<String, Object> m) {
        if (m == null) return AllocationPolicy.defaults();
        List<AllocationPolicy.Override> ov = new ArrayList<>();
        for (Map<String, Object> o : (List<Map<String, Object>>) m.getOrDefault("overrides", List.of())) {
            ov.add(new AllocationPolicy.Override((String) o.get("pattern"), ((Number) o.get("bits")).intValue(),
                    ((Number) o.getOrDefault("group_size", 0)).intValue()));
        }
        Map<Integer, Integer> groups = new LinkedHashMap<>();
        ((Map<String, Object>) m.getOrDefault("group_sizes", Map.of())).forEach((k, v) ->
                groups.put(Integer.parseInt(k), ((Number) v).intValue()));
        AllocationPolicy.Target target = null;
        Map<String, Object> t = (Map<String, Object>) m.get("target");
        if (t != null) {
            target = t.containsKey("effective_bits") ? AllocationPolicy.Target.bits(((Number) t.get("effective_bits")).doubleValue())
                    : AllocationPolicy.Target.size(((Number) t.get("bytes")).longValue());
        }
        return new AllocationPolicy((List<String>) m.getOrDefault("protected", List.of()),
                (List<String>) m.getOrDefault("sensitive", List.of()), ov,
                groups.isEmpty() ? AllocationPolicy.defaultGroupSizes() : groups, target);
    }
}
