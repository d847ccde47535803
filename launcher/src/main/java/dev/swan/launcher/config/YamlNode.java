package dev.swan.launcher.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the line and column it starts at, so every validation error can point at it.
 * {@code value} is a {@code Map<String, YamlNode>}, a {@code List<YamlNode>}, a String, Long, Double,
 * Boolean or null.
 */
public record YamlNode(Object value, int line, int column, Map<String, int[]> keyPositions) {

    public YamlNode(Object value, int line, int column) {
        this(value, line, column, Map.of());
    }

    /** Line and column of a key of this mapping (the value's position when unknown). */
    public int[] keyPosition(String key) {
        int[] p = keyPositions.get(key);
        if (p != null) return p;
        YamlNode v = isMap() ? map().get(key) : null;
        return v != null ? new int[] {v.line(), v.column()} : new int[] {line, column};
    }

    @SuppressWarnings("unchecked")
    public Map<String, YamlNode> map() {
        if (!isMap()) throw new dev.swan.api.ConfigException(null, line, column, "expected a mapping (key: value) here, got " + what());
        return (Map<String, YamlNode>) value;
    }

    @SuppressWarnings("unchecked")
    public List<YamlNode> list() {
        if (!isList()) throw new dev.swan.api.ConfigException(null, line, column, "expected a list here, got " + what());
        return (List<YamlNode>) value;
    }

    private String what() {
        return value == null ? "nothing" : value instanceof List ? "a list" : value instanceof Map ? "a mapping" : "'" + value + "'";
    }

    public boolean isMap() {
        return value instanceof Map;
    }

    public boolean isList() {
        return value instanceof List;
    }

    /** The plain Java value (maps and lists unwrapped recursively). */
    public Object plain() {
        if (value instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map().forEach((k, v) -> m.put(k, v.plain()));
            return m;
        }
        if (value instanceof List) return list().stream().map(YamlNode::plain).collect(java.util.stream.Collectors.toList());
        return value;
    }
}
