package dev.swan.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolved, validated parameter values of one plugin: every declared parameter has a value of its
 * declared type (the given one or the default). Immutable.
 */
public final class Parameters {
    private final Map<String, Object> values;

    private Parameters(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static Parameters empty() {
        return new Parameters(new LinkedHashMap<>());
    }

    /**
     * Checks {@code given} against {@code specs} and fills in defaults.
     *
     * @param source where the values came from, for error messages (e.g. "pipeline.yaml metrics[0]")
     * @throws ConfigException on an unknown key, a wrong type or a value outside the choices
     */
    public static Parameters resolve(String pluginId, List<ParameterSpec> specs, Map<String, ?> given, String source) {
        Map<String, ParameterSpec> byName = new LinkedHashMap<>();
        for (ParameterSpec s : specs) byName.put(s.name(), s);
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParameterSpec s : specs) out.put(s.name(), s.defaultValue());
        if (given != null) {
            for (Map.Entry<String, ?> e : given.entrySet()) {
                ParameterSpec s = byName.get(e.getKey());
                if (s == null) {
                    throw new ConfigException(source, 0, 0, "unknown parameter '" + e.getKey() + "' for '" + pluginId
                            + "' (allowed: " + String.join(", ", byName.keySet()) + ")");
                }
                Object v = coerce(pluginId, s, e.getValue(), source);
                if (v instanceof Number n && !(n.doubleValue() >= s.min() && n.doubleValue() <= s.max())) {
                    throw new ConfigException(source, 0, 0, "'" + s.name() + "' of '" + pluginId + "' must be "
                            + range(s) + ", got " + e.getValue());
                }
                out.put(s.name(), v);
            }
        }
        return new Parameters(out);
    }

    private static String range(ParameterSpec s) {
        String lo = s.type() == ParameterSpec.Type.INT ? String.valueOf((long) s.min()) : String.valueOf(s.min());
        String hi = s.type() == ParameterSpec.Type.INT ? String.valueOf((long) s.max()) : String.valueOf(s.max());
        if (Double.isInfinite(s.max())) return "at least " + lo;
        if (Double.isInfinite(s.min())) return "at most " + hi;
        return "between " + lo + " and " + hi;
    }

    private static Object coerce(String pluginId, ParameterSpec s, Object v, String source) {
        String where = "'" + s.name() + "' of '" + pluginId + "'";
        switch (s.type()) {
            case INT:
                if (v instanceof Number && ((Number) v).doubleValue() == Math.rint(((Number) v).doubleValue())
                        && Math.abs(((Number) v).doubleValue()) <= Integer.MAX_VALUE) {
                    return ((Number) v).intValue();
                }
                throw new ConfigException(source, 0, 0, where + " must be an integer, got " + v);
            case DOUBLE:
                if (v instanceof Number && !Double.isNaN(((Number) v).doubleValue())) return ((Number) v).doubleValue();
                throw new ConfigException(source, 0, 0, where + " must be a number, got " + v);
            case BOOLEAN:
                if (v instanceof Boolean) return v;
                throw new ConfigException(source, 0, 0, where + " must be true or false, got " + v);
            case STRING:
            default:
                if (!(v instanceof String)) throw new ConfigException(source, 0, 0, where + " must be a string, got " + v);
                if (!s.choices().isEmpty() && !s.choices().contains(v)) {
                    throw new ConfigException(source, 0, 0, where + " must be one of " + s.choices() + ", got " + v);
                }
                return v;
        }
    }

    /** All values, in declaration order. */
    public Map<String, Object> asMap() {
        return values;
    }

    /** Values sorted by name, for manifests and cache keys. */
    public Map<String, Object> sorted() {
        return Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public int getInt(String name) {
        return ((Number) require(name)).intValue();
    }

    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    public String getString(String name) {
        return (String) require(name);
    }

    private Object require(String name) {
        if (!values.containsKey(name)) throw new IllegalArgumentException("undeclared parameter " + name);
        return values.get(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters && ((Parameters) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
