package dev.swan.toolkit.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes maps, lists, strings, numbers, booleans and null as JSON: compact, or indented like Python's
 * {@code json.dump(indent=n)}, optionally with object keys sorted (as mlx-lm writes its config).
 */
public final class JsonWriter {
    private final int indent;
    private final boolean sortKeys;

    private JsonWriter(int indent, boolean sortKeys) {
        this.indent = indent;
        this.sortKeys = sortKeys;
    }

    public static JsonWriter compact() {
        return new JsonWriter(0, false);
    }

    public static JsonWriter pretty(int indent, boolean sortKeys) {
        return new JsonWriter(indent, sortKeys);
    }

    public String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private void write(StringBuilder sb, Object v, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            quote(sb, (String) v);
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON cannot hold " + d);
            }
            sb.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
        } else if (v instanceof Number) {
            sb.append(v);
        } else if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            if (sortKeys) m = new TreeMap<>(m);
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                newline(sb, level + 1);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(indent > 0 ? ": " : ":");
                write(sb, e.getValue(), level + 1);
            }
            newline(sb, level);
            sb.append('}');
        } else if (v instanceof Collection || v instanceof Object[] || v instanceof long[] || v instanceof int[]) {
            List<Object> items = asList(v);
            if (items.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(',');
                newline(sb, level + 1);
                write(sb, items.get(i), level + 1);
            }
            newline(sb, level);
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static List<Object> asList(Object v) {
        List<Object> out = new ArrayList<>();
        if (v instanceof Collection) {
            out.addAll((Collection<?>) v);
        } else if (v instanceof long[]) {
            for (long x : (long[]) v) out.add(x);
        } else if (v instanceof int[]) {
            for (int x : (int[]) v) out.add(x);
        } else {
            for (Object x : (Object[]) v) out.add(x);
        }
        return out;
    }

    private void newline(StringBuilder sb, int level) {
        if (indent <= 0) return;
        sb.append('\n');
        for (int i = 0; i < level * indent; i++) sb.append(' ');
    }

    /** Appends {@code s} as a JSON string literal. */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
