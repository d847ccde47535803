package dev.swan.eval.chat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Python's view of the values a template handles: truth, str(), repr(), equality, order, json.dumps. */
final class Values {
    private Values() {
    }

    /** A name or key that is not there: empty when printed, false, iterates as nothing. */
    record Undefined(String name) {
    }

    /** A function a template can call: a global, a macro, or a bound method. */
    interface Function {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    static boolean isUndefined(Object v) {
        return v instanceof Undefined;
    }

    static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    static boolean isNumber(Object v) {
        return v instanceof Number;
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) return false;
        if (v instanceof Boolean b) return b;
        if (isInteger(v)) return ((Number) v).longValue() != 0;
        if (v instanceof Number n) return n.doubleValue() != 0;
        if (v instanceof CharSequence s) return s.length() > 0;
        if (v instanceof List<?> l) return !l.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        return true;
    }

    /** Python's str(). */
    static String str(Object v) {
        if (v instanceof String s) return s;
        return repr(v);
    }

    /** Python's repr() (undefined: empty, as str()). */
    static String repr(Object v) {
        if (v == null) return "None";
        if (v instanceof Undefined) return "";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (isInteger(v)) return Long.toString(((Number) v).longValue());
        if (v instanceof Number n) return floatRepr(n.doubleValue());
        if (v instanceof String s) return stringRepr(s);
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) b.append(i > 0 ? ", " : "").append(repr(l.get(i)));
            return b.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return b.append('}').toString();
        }
        return String.valueOf(v);
    }

    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return (long) d + ".0";
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }

    private static String stringRepr(String s) {
        char quote = s.contains("'") && !s.contains("\"") ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c == quote) b.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7f) b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append(quote).toString();
    }

    /** Python's ==. */
    static boolean equal(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (a instanceof Boolean || b instanceof Boolean) {
            if (a instanceof Boolean && b instanceof Boolean) return a.equals(b);
            Object x = a instanceof Boolean ba ? (Object) (ba ? 1L : 0L) : a;
            Object y = b instanceof Boolean bb ? (Object) (bb ? 1L : 0L) : b;
            return isNumber(x) && isNumber(y) && equal(x, y);
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInteger(a) && isInteger(b)) return ((Number) a).longValue() == ((Number) b).longValue();
            return ((Number) a).doubleValue() == ((Number) b).doubleValue();
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!equal(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /** Python's order between numbers, strings or lists; null when they cannot be ordered. */
    static Integer order(Object a, Object b) {
        if (a instanceof Boolean ba) a = ba ? 1L : 0L;
        if (b instanceof Boolean bb) b = bb ? 1L : 0L;
        if (isNumber(a) && isNumber(b)) {
            if (isInteger(a) && isInteger(b)) return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
            return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
        }
        if (a instanceof String x && b instanceof String y) return Integer.signum(codePointCompare(x, y));
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (equal(x.get(i), y.get(i))) continue;
                return order(x.get(i), y.get(i));
            }
            return Integer.compare(x.size(), y.size());
        }
        return null;
    }

    private static int codePointCompare(String x, String y) {
        int i = 0, j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i), b = y.codePointAt(j);
            if (a != b) return Integer.compare(a, b);
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    static Comparator<Object> comparator() {
        return (a, b) -> {
            Integer o = order(a, b);
            if (o == null) throw new IllegalArgumentException("'<' not supported between " + typeName(a) + " and " + typeName(b));
            return o;
        };
    }

    static String typeName(Object v) {
        if (v == null) return "NoneType";
        if (v instanceof Undefined) return "Undefined";
        if (v instanceof Boolean) return "bool";
        if (isInteger(v)) return "int";
        if (v instanceof Number) return "float";
        if (v instanceof String) return "str";
        if (v instanceof List<?>) return "list";
        if (v instanceof Map<?, ?>) return "dict";
        return "object";
    }

    /** What a for loop or list() sees: list items, a dict's keys, a string's characters; nothing for undefined. */
    static List<Object> iterate(Object v) {
        if (v == null) throw new IllegalArgumentException("'NoneType' object is not iterable");
        if (v instanceof Undefined) return List.of();
        if (v instanceof List<?> l) return new ArrayList<>(l);
        if (v instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
            return out;
        }
        throw new IllegalArgumentException("'" + typeName(v) + "' object is not iterable");
    }

    static long length(Object v) {
        if (v instanceof String s) return s.codePointCount(0, s.length());
        if (v instanceof List<?> l) return l.size();
        if (v instanceof Map<?, ?> m) return m.size();
        if (v instanceof Undefined) return 0;
        throw new IllegalArgumentException("object of type '" + typeName(v) + "' has no len()");
    }

    /**
     * Python's json.dumps(v, ensure_ascii=..., indent=..., separators=..., sort_keys=...), as Hugging
     * Face's tojson filter calls it.
     */
    static String json(Object v, Integer indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ascii) {
        StringBuilder b = new StringBuilder();
        json(b, v, indent, itemSeparator != null ? itemSeparator : indent != null ? "," : ", ",
                keySeparator != null ? keySeparator : ": ", sortKeys, 0);
        if (ascii) {
            StringBuilder a = new StringBuilder();
            for (int i = 0; i < b.length(); i++) {
                char c = b.charAt(i);
                if (c < 0x80) a.append(c);
                else a.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
            return a.toString();
        }
        return b.toString();
    }

    private static void json(StringBuilder b, Object v, Integer indent, String items, String keys, boolean sort, int depth) {
        if (v == null || v instanceof Undefined) {
            b.append("null");
        } else if (v instanceof Boolean x) {
            b.append(x ? "true" : "false");
        } else if (isInteger(v)) {
            b.append(((Number) v).longValue());
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            b.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
        } else if (v instanceof String s) {
            jsonString(b, s);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(items);
                newline(b, indent, depth + 1);
                json(b, l.get(i), indent, items, keys, sort, depth + 1);
            }
            newline(b, indent, depth);
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sort) entries.sort((x, y) -> comparator().compare(x.getKey(), y.getKey()));
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) b.append(items);
                first = false;
                newline(b, indent, depth + 1);
                Object k = e.getKey();
                jsonString(b, k instanceof String s ? s : k == null ? "null" : k instanceof Boolean x ? (x ? "true" : "false") : repr(k));
                b.append(keys);
                json(b, e.getValue(), indent, items, keys, sort, depth + 1);
            }
            newline(b, indent, depth);
            b.append('}');
        } else {
            throw new IllegalArgumentException("Object of type " + typeName(v) + " is not JSON serializable");
        }
    }

    private static void newline(StringBuilder b, Integer indent, int depth) {
        if (indent == null) return;
        b.append('\n');
        b.append(" ".repeat(indent * depth));
    }

    private static void jsonString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
