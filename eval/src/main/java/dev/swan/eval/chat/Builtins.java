package dev.swan.eval.chat;

import dev.swan.eval.chat.Renderer.Loop;
import dev.swan.eval.chat.Renderer.Namespace;
import dev.swan.eval.chat.Values.Function;
import dev.swan.eval.chat.Values.Undefined;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Jinja's filters and tests, the Python methods chat templates call on strings and dicts, and the
 * operators, with the semantics of Jinja 2 on Python (what Hugging Face renders templates with).
 */
final class Builtins {
    private static final Set<String> DICT_METHODS = Set.of("get", "items", "keys", "values");
    /** jinja2.sandbox.MAX_RANGE. */
    static final long MAX_RANGE = 100_000;
    /** The longest string or list a template may build by repetition. */
    static final long MAX_REPEAT = 10_000_000;

    // ---- attributes, items, slices

    Object attribute(Object target, String name) {
        if (target instanceof Map<?, ?> m) {
            if (DICT_METHODS.contains(name)) return dictMethod(m, name);
            return m.containsKey(name) ? m.get(name) : new Undefined(name);
        }
        if (target instanceof Namespace ns) return ns.attributes.containsKey(name) ? ns.attributes.get(name) : new Undefined(name);
        if (target instanceof Loop loop) return loop.attribute(name);
        if (target instanceof String s) return stringMethod(s, name);
        if (target instanceof List<?> l && (name.equals("index") || name.equals("count"))) {
            return (Function) (args, kw) -> {
                long n = 0;
                for (int i = 0; i < l.size(); i++) {
                    if (Values.equal(l.get(i), arg(args, 0))) {
                        if (name.equals("index")) return (long) i;
                        n++;
                    }
                }
                if (name.equals("index")) throw new IllegalArgumentException(Values.repr(arg(args, 0)) + " is not in list");
                return n;
            };
        }
        return new Undefined(name);
    }

    Object item(Object target, Object key) {
        if (target instanceof Map<?, ?> m) {
            if (m.containsKey(key)) return m.get(key);
            return key instanceof String s ? attribute(target, s) : new Undefined(Values.str(key));
        }
        if ((target instanceof List<?> || target instanceof String) && Values.isInteger(key)) {
            List<Object> items = target instanceof String ? Values.iterate(target) : null;
            int n = items != null ? items.size() : ((List<?>) target).size();
            long k = ((Number) key).longValue();
            if (k < 0) k += n;
            if (k < 0 || k >= n) return new Undefined("[" + key + "]");
            return items != null ? items.get((int) k) : ((List<?>) target).get((int) k);
        }
        if (key instanceof String s) return attribute(target, s);
        return new Undefined(Values.str(key));
    }

    static Object slice(Object target, Object start, Object stop, Object step) {
        List<Object> items = target instanceof String ? Values.iterate(target) : target instanceof List<?> l ? new ArrayList<>(l) : null;
        if (items == null) throw new IllegalArgumentException("'" + Values.typeName(target) + "' object is not subscriptable");
        int n = items.size();
        long st = step == null ? 1 : ((Number) step).longValue();
        if (st == 0) throw new IllegalArgumentException("slice step cannot be zero");
        long lo, hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(((Number) start).longValue(), n, 0, n);
            hi = stop == null ? n : clamp(((Number) stop).longValue(), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(((Number) start).longValue(), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(((Number) stop).longValue(), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long k = lo; st > 0 ? k < hi : k > hi; k += st) out.add(items.get((int) k));
        if (target instanceof String) {
            StringBuilder b = new StringBuilder();
            for (Object o : out) b.append(o);
            return b.toString();
        }
        return out;
    }

    private static long clamp(long index, int n, long lo, long hi) {
        if (index < 0) index += n;
        return Math.max(lo, Math.min(hi, index));
    }

    // ---- methods

    private static Function dictMethod(Map<?, ?> m, String name) {
        return (args, kw) -> switch (name) {
            case "get" -> m.containsKey(arg(args, 0)) ? m.get(arg(args, 0)) : args.size() > 1 ? args.get(1) : null;
            case "keys" -> new ArrayList<Object>(m.keySet());
            case "values" -> new ArrayList<Object>(m.values());
            default -> items(m);
        };
    }

    private static List<Object> items(Map<?, ?> m) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) out.add(pair(e.getKey(), e.getValue()));
        return out;
    }

    private static Object stringMethod(String s, String name) {
        return switch (name) {
            case "startswith", "endswith" -> (Function) (args, kw) -> {
                Object p = arg(args, 0);
                List<Object> options = p instanceof List<?> l ? new ArrayList<>(l) : List.of(p);
                for (Object o : options) {
                    String x = (String) o;
                    if (name.equals("startswith") ? s.startsWith(x) : s.endsWith(x)) return true;
                }
                return false;
            };
            case "strip", "lstrip", "rstrip" -> (Function) (args, kw) -> strip(s, args.isEmpty() ? null : (String) args.get(0),
                    !name.equals("rstrip"), !name.equals("lstrip"));
            case "split", "rsplit" -> (Function) (args, kw) -> split(s, args.isEmpty() ? (String) kw.get("sep") : (String) args.get(0),
                    args.size() > 1 ? ((Number) args.get(1)).intValue() : kw.get("maxsplit") instanceof Number n ? n.intValue() : -1,
                    name.equals("rsplit"));
            case "upper" -> (Function) (args, kw) -> s.toUpperCase(Locale.ROOT);
            case "format" -> (Function) (args, kw) -> format(s, args, kw);
            case "lower" -> (Function) (args, kw) -> s.toLowerCase(Locale.ROOT);
            case "title" -> (Function) (args, kw) -> title(s);
            case "capitalize" -> (Function) (args, kw) -> capitalize(s);
            case "replace" -> (Function) (args, kw) -> replace(s, (String) arg(args, 0), (String) arg(args, 1),
                    args.size() > 2 ? ((Number) args.get(2)).intValue() : -1);
            case "find" -> (Function) (args, kw) -> (long) s.indexOf((String) arg(args, 0));
            case "rfind" -> (Function) (args, kw) -> (long) s.lastIndexOf((String) arg(args, 0));
            case "count" -> (Function) (args, kw) -> (long) countOf(s, (String) arg(args, 0));
            case "join" -> (Function) (args, kw) -> {
                StringBuilder b = new StringBuilder();
                List<Object> parts = Values.iterate(arg(args, 0));
                for (int i = 0; i < parts.size(); i++) b.append(i > 0 ? s : "").append((String) parts.get(i));
                return b.toString();
            };
            case "splitlines" -> (Function) (args, kw) -> {
                List<Object> out = new ArrayList<>(List.of((Object[]) s.split("\r\n|\r|\n", -1)));
                if (!out.isEmpty() && "".equals(out.get(out.size() - 1))) out.remove(out.size() - 1);
                return out;
            };
            case "removeprefix" -> (Function) (args, kw) -> s.startsWith((String) arg(args, 0)) ? s.substring(((String) arg(args, 0)).length()) : s;
            case "removesuffix" -> (Function) (args, kw) -> s.endsWith((String) arg(args, 0)) ? s.substring(0, s.length() - ((String) arg(args, 0)).length()) : s;
            case "isdigit" -> (Function) (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> (Function) (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isspace" -> (Function) (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isupper" -> (Function) (args, kw) -> s.chars().anyMatch(Character::isUpperCase) && s.equals(s.toUpperCase(Locale.ROOT));
            case "islower" -> (Function) (args, kw) -> s.chars().anyMatch(Character::isLowerCase) && s.equals(s.toLowerCase(Locale.ROOT));
            default -> new Undefined(name);
        };
    }

    /** str.format with {}, {0} and {name} fields (no format specs). */
    private static String format(String s, List<Object> args, Map<String, Object> kw) {
        StringBuilder b = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < s.length() && s.charAt(i + 1) == c) {
                b.append(c);
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) throw new IllegalArgumentException("Single '{' encountered in format string");
                String field = s.substring(i + 1, end);
                if (field.contains(":") || field.contains("!")) throw new IllegalArgumentException("format specs are not supported: {" + field + "}");
                Object v = field.isEmpty() ? arg(args, auto++) : field.chars().allMatch(Character::isDigit)
                        ? arg(args, Integer.parseInt(field)) : kw.containsKey(field) ? kw.get(field) : null;
                if (v == null && !field.isEmpty() && !kw.containsKey(field) && !field.chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("KeyError: '" + field + "'");
                }
                b.append(Values.str(v));
                i = end;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Object arg(List<Object> args, int k) {
        if (k >= args.size()) throw new IllegalArgumentException("missing argument " + (k + 1));
        return args.get(k);
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int a = 0, b = s.length();
        if (left) while (a < b && strips(s.charAt(a), chars)) a++;
        if (right) while (b > a && strips(s.charAt(b - 1), chars)) b--;
        return s.substring(a, b);
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    static List<Object> split(String s, String sep, int max, boolean fromRight) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            String[] words = s.strip().isEmpty() ? new String[0] : s.strip().split("\\s+");
            if (max < 0 || words.length <= max + 1) {
                out.addAll(List.of((Object[]) words));
                return out;
            }
            String rest = s.strip();
            if (!fromRight) {
                for (int k = 0; k < max; k++) {
                    String[] two = rest.split("\\s+", 2);
                    out.add(two[0]);
                    rest = two[1];
                }
                out.add(rest);
            } else {
                for (int k = 0; k < max; k++) {
                    int cut = rest.length();
                    while (!Character.isWhitespace(rest.charAt(cut - 1))) cut--;
                    out.add(0, rest.substring(cut));
                    rest = rest.substring(0, cut).stripTrailing();
                }
                out.add(0, rest);
            }
            return out;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        if (!fromRight) {
            int from = 0;
            while (max < 0 || out.size() < max) {
                int k = s.indexOf(sep, from);
                if (k < 0) break;
                out.add(s.substring(from, k));
                from = k + sep.length();
            }
            out.add(s.substring(from));
        } else {
            int to = s.length();
            while (max < 0 || out.size() < max) {
                int k = s.lastIndexOf(sep, to - sep.length());
                if (k < 0) break;
                out.add(0, s.substring(k + sep.length(), to));
                to = k;
            }
            out.add(0, s.substring(0, to));
        }
        return out;
    }

    private static String replace(String s, String old, String with, int count) {
        if (count < 0) return s.replace(old, with);
        StringBuilder b = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int k = s.indexOf(old, from);
            if (k < 0) break;
            b.append(s, from, k).append(with);
            from = k + old.length();
            if (old.isEmpty()) {
                if (from < s.length()) b.append(s.charAt(from));
                from++;
            }
        }
        if (from <= s.length()) b.append(s.substring(Math.min(from, s.length())));
        return b.toString();
    }

    private static int countOf(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int k = s.indexOf(sub); k >= 0; k = s.indexOf(sub, k + sub.length())) n++;
        return n;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder();
        boolean inWord = false;
        for (char c : s.toCharArray()) {
            b.append(inWord ? Character.toLowerCase(c) : Character.toUpperCase(c));
            inWord = Character.isLetter(c);
        }
        return b.toString();
    }

    // ---- operators

    static Object negate(Object v) {
        if (Values.isInteger(v)) return -((Number) v).longValue();
        if (v instanceof Number n) return -n.doubleValue();
        throw new IllegalArgumentException("bad operand type for unary -: '" + Values.typeName(v) + "'");
    }

    static Object arithmetic(String op, Object a, Object b) {
        if (op.equals("~")) return Values.str(a) + Values.str(b);
        if (a instanceof Undefined u) throw new IllegalArgumentException("'" + u.name() + "' is undefined");
        if (b instanceof Undefined u) throw new IllegalArgumentException("'" + u.name() + "' is undefined");
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) return x + y;
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> out = new ArrayList<>(x);
                out.addAll(y);
                return out;
            }
        }
        if (op.equals("*")) {
            if ((a instanceof String || a instanceof List<?>) && Values.isInteger(b)
                    && Values.length(a) * Math.max(0, ((Number) b).longValue()) > MAX_REPEAT) {
                throw new IllegalArgumentException("a repetition longer than " + MAX_REPEAT);
            }
            if (a instanceof String x && Values.isInteger(b)) return x.repeat((int) Math.max(0, ((Number) b).longValue()));
            if (a instanceof List<?> x && Values.isInteger(b)) {
                List<Object> out = new ArrayList<>();
                for (long k = 0; k < ((Number) b).longValue(); k++) out.addAll(x);
                return out;
            }
        }
        if (a instanceof Boolean x) a = x ? 1L : 0L;
        if (b instanceof Boolean y) b = y ? 1L : 0L;
        if (!Values.isNumber(a) || !Values.isNumber(b)) {
            throw new IllegalArgumentException("unsupported operand types for " + op + ": '" + Values.typeName(a) + "' and '"
                    + Values.typeName(b) + "'");
        }
        boolean ints = Values.isInteger(a) && Values.isInteger(b);
        long x = ((Number) a).longValue(), y = ((Number) b).longValue();
        double p = ((Number) a).doubleValue(), q = ((Number) b).doubleValue();
        switch (op) {
            case "+": return ints ? (Object) (x + y) : (Object) (p + q);
            case "-": return ints ? (Object) (x - y) : (Object) (p - q);
            case "*": return ints ? (Object) (x * y) : (Object) (p * q);
            case "/":
                if (q == 0) throw new ArithmeticException("division by zero");
                return p / q;
            case "//":
                if (q == 0) throw new ArithmeticException("integer division or modulo by zero");
                return ints ? (Object) Math.floorDiv(x, y) : (Object) Math.floor(p / q);
            case "%":
                if (q == 0) throw new ArithmeticException("integer division or modulo by zero");
                return ints ? (Object) Math.floorMod(x, y) : (Object) (p - q * Math.floor(p / q));
            case "**":
                if (ints && y >= 0) {
                    long r = 1;
                    for (long k = 0; k < y; k++) r *= x;
                    return r;
                }
                return Math.pow(p, q);
            default: throw new IllegalArgumentException("unknown operator " + op);
        }
    }

    static boolean compare(String op, Object a, Object b) {
        switch (op) {
            case "==": return Values.equal(a, b);
            case "!=": return !Values.equal(a, b);
            case "in": return contains(b, a);
            case "not in": return !contains(b, a);
            default:
                Integer o = Values.order(a, b);
                if (o == null) {
                    throw new IllegalArgumentException("'" + op + "' not supported between instances of '" + Values.typeName(a)
                            + "' and '" + Values.typeName(b) + "'");
                }
                return switch (op) {
                    case "<" -> o < 0;
                    case ">" -> o > 0;
                    case "<=" -> o <= 0;
                    default -> o >= 0;
                };
        }
    }

    static boolean contains(Object container, Object x) {
        if (container instanceof String s) {
            if (!(x instanceof String sub)) throw new IllegalArgumentException("'in <string>' requires string as left operand");
            return s.contains(sub);
        }
        if (container instanceof Map<?, ?> m) return m.containsKey(x);
        if (container instanceof Undefined) return false;
        for (Object o : Values.iterate(container)) if (Values.equal(o, x)) return true;
        return false;
    }

    // ---- tests

    boolean test(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> Values.isNumber(v);
            case "integer" -> Values.isInteger(v);
            case "float" -> v instanceof Double || v instanceof Float;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?> || v instanceof Namespace;
            case "iterable" -> v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String;
            case "sequence" -> v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String;
            case "callable" -> v instanceof Function;
            case "odd" -> ((Number) v).longValue() % 2 != 0;
            case "even" -> ((Number) v).longValue() % 2 == 0;
            case "divisibleby" -> ((Number) v).longValue() % ((Number) arg(args, 0)).longValue() == 0;
            case "eq", "equalto", "==" -> Values.equal(v, arg(args, 0));
            case "ne", "!=" -> !Values.equal(v, arg(args, 0));
            case "lt", "lessthan", "<" -> compare("<", v, arg(args, 0));
            case "le", "<=" -> compare("<=", v, arg(args, 0));
            case "gt", "greaterthan", ">" -> compare(">", v, arg(args, 0));
            case "ge", ">=" -> compare(">=", v, arg(args, 0));
            case "in" -> contains(arg(args, 0), v);
            case "sameas" -> v == arg(args, 0) || v == null && arg(args, 0) == null || Values.equal(v, arg(args, 0)) && v instanceof Boolean;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("no test named '" + name + "'");
        };
    }

    // ---- filters

    Object filter(String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "trim": return strip(Values.str(v), args.isEmpty() ? (String) kw.get("chars") : (String) args.get(0), true, true);
            case "length", "count": return Values.length(v);
            case "tojson": {
                Object indent = args.isEmpty() ? kw.get("indent") : args.get(0);
                String items = null, keys = null;
                if (kw.get("separators") instanceof List<?> sep && sep.size() == 2) {
                    items = (String) sep.get(0);
                    keys = (String) sep.get(1);
                }
                return Values.json(v, indent instanceof Number n ? n.intValue() : null, items, keys, Values.truthy(kw.get("sort_keys")),
                        Values.truthy(kw.get("ensure_ascii")));
            }
            case "first": {
                List<Object> l = Values.iterate(v);
                return l.isEmpty() ? new Undefined("first") : l.get(0);
            }
            case "last": {
                List<Object> l = Values.iterate(v);
                return l.isEmpty() ? new Undefined("last") : l.get(l.size() - 1);
            }
            case "join": {
                String sep = args.isEmpty() ? (String) kw.getOrDefault("d", "") : (String) args.get(0);
                Object attr = args.size() > 1 ? args.get(1) : kw.get("attribute");
                StringBuilder b = new StringBuilder();
                List<Object> l = Values.iterate(v);
                for (int k = 0; k < l.size(); k++) {
                    Object x = attr == null ? l.get(k) : attribute(l.get(k), (String) attr);
                    b.append(k > 0 ? sep : "").append(Values.str(x));
                }
                return b.toString();
            }
            case "list": return Values.iterate(v);
            case "reverse": {
                if (v instanceof String s) return new StringBuilder(s).reverse().toString();
                List<Object> l = Values.iterate(v);
                Collections.reverse(l);
                return l;
            }
            case "default", "d": {
                Object fallback = args.isEmpty() ? kw.getOrDefault("default_value", "") : args.get(0);
                boolean onFalse = args.size() > 1 ? Values.truthy(args.get(1)) : Values.truthy(kw.get("boolean"));
                return v instanceof Undefined || onFalse && !Values.truthy(v) ? fallback : v;
            }
            case "items": {
                if (v instanceof Undefined) return List.of();
                if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException("items filter: not a dict");
                return items(m);
            }
            case "string": return Values.str(v);
            case "int": return toInt(v, args.isEmpty() ? kw.getOrDefault("default", 0L) : args.get(0));
            case "float": return toFloat(v, args.isEmpty() ? kw.getOrDefault("default", 0.0) : args.get(0));
            case "lower": return Values.str(v).toLowerCase(Locale.ROOT);
            case "upper": return Values.str(v).toUpperCase(Locale.ROOT);
            case "capitalize": return capitalize(Values.str(v));
            case "title": return title(Values.str(v));
            case "replace": return replace(Values.str(v), (String) arg(args, 0), (String) arg(args, 1),
                    args.size() > 2 ? ((Number) args.get(2)).intValue() : -1);
            case "selectattr", "rejectattr": {
                if (!Values.truthy(v)) return new ArrayList<>();
                boolean keep = name.equals("selectattr");
                String attr = (String) arg(args, 0);
                List<Object> out = new ArrayList<>();
                for (Object x : Values.iterate(v)) {
                    Object a = attribute(x, attr);
                    boolean r = args.size() > 1 ? test((String) args.get(1), a, args.subList(2, args.size())) : Values.truthy(a);
                    if (r == keep) out.add(x);
                }
                return out;
            }
            case "select", "reject": {
                if (!Values.truthy(v)) return new ArrayList<>();
                boolean keep = name.equals("select");
                List<Object> out = new ArrayList<>();
                for (Object x : Values.iterate(v)) {
                    boolean r = args.isEmpty() ? Values.truthy(x) : test((String) args.get(0), x, args.subList(1, args.size()));
                    if (r == keep) out.add(x);
                }
                return out;
            }
            case "map": {
                if (!Values.truthy(v)) return new ArrayList<>();
                List<Object> out = new ArrayList<>();
                for (Object x : Values.iterate(v)) {
                    if (kw.containsKey("attribute")) {
                        Object a = attribute(x, (String) kw.get("attribute"));
                        out.add(a instanceof Undefined && kw.containsKey("default") ? kw.get("default") : a);
                    } else {
                        Map<String, Object> rest = new LinkedHashMap<>(kw);
                        out.add(filter((String) arg(args, 0), x, args.subList(1, args.size()), rest));
                    }
                }
                return out;
            }
            case "unique": {
                List<Object> out = new ArrayList<>();
                for (Object x : Values.iterate(v)) {
                    boolean seen = false;
                    for (Object o : out) seen |= Values.equal(o, x);
                    if (!seen) out.add(x);
                }
                return out;
            }
            case "sort": {
                List<Object> l = Values.iterate(v);
                Object attr = kw.get("attribute");
                boolean reverse = args.isEmpty() ? Values.truthy(kw.get("reverse")) : Values.truthy(args.get(0));
                l.sort((a, b) -> Values.comparator().compare(attr == null ? sortKey(a) : sortKey(attribute(a, (String) attr)),
                        attr == null ? sortKey(b) : sortKey(attribute(b, (String) attr))));
                if (reverse) Collections.reverse(l);
                return l;
            }
            case "dictsort": {
                if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException("dictsort: not a dict");
                List<Object> out = items(m);
                out.sort((a, b) -> Values.comparator().compare(sortKey(((List<?>) a).get(0)), sortKey(((List<?>) b).get(0))));
                return out;
            }
            case "safe": return v;
            case "escape", "e": return Values.str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&#34;").replace("'", "&#39;");
            case "indent": {
                int width = args.isEmpty() ? ((Number) kw.getOrDefault("width", 4L)).intValue() : ((Number) args.get(0)).intValue();
                boolean first = args.size() > 1 ? Values.truthy(args.get(1)) : Values.truthy(kw.get("first"));
                boolean blank = args.size() > 2 ? Values.truthy(args.get(2)) : Values.truthy(kw.get("blank"));
                String pad = " ".repeat(width);
                String[] lines = Values.str(v).split("\n", -1);
                StringBuilder b = new StringBuilder();
                for (int k = 0; k < lines.length; k++) {
                    if (k > 0) b.append('\n');
                    boolean indentIt = (k > 0 || first) && (blank || !lines[k].isBlank());
                    b.append(indentIt ? pad : "").append(lines[k]);
                }
                return b.toString();
            }
            case "abs": return Values.isInteger(v) ? (Object) Math.abs(((Number) v).longValue()) : (Object) Math.abs(((Number) v).doubleValue());
            case "round": {
                int digits = args.isEmpty() ? ((Number) kw.getOrDefault("precision", 0L)).intValue() : ((Number) args.get(0)).intValue();
                double scale = Math.pow(10, digits);
                return Math.round(((Number) v).doubleValue() * scale) / scale;
            }
            case "min", "max": {
                List<Object> l = Values.iterate(v);
                if (l.isEmpty()) return new Undefined(name);
                Object best = l.get(0);
                for (Object x : l) {
                    int o = Values.comparator().compare(x, best);
                    if (name.equals("min") ? o < 0 : o > 0) best = x;
                }
                return best;
            }
            case "sum": {
                Object total = kw.getOrDefault("start", 0L);
                Object attr = kw.get("attribute");
                for (Object x : Values.iterate(v)) total = arithmetic("+", total, attr == null ? x : attribute(x, (String) attr));
                return total;
            }
            case "wordcount": return (long) split(Values.str(v), null, -1, false).size();
            default: throw new IllegalArgumentException("no filter named '" + name + "'");
        }
    }

    private static Object sortKey(Object v) {
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static List<Object> pair(Object a, Object b) {
        List<Object> p = new ArrayList<>(2);
        p.add(a);
        p.add(b);
        return p;
    }

    private static Object toInt(Object v, Object fallback) {
        if (Values.isInteger(v)) return ((Number) v).longValue();
        if (v instanceof Number n) return (long) n.doubleValue();
        if (v instanceof Boolean b) return b ? 1L : 0L;
        try {
            return Long.parseLong(Values.str(v).strip().replace("_", ""));
        } catch (NumberFormatException e) {
            try {
                return (long) Double.parseDouble(Values.str(v).strip());
            } catch (NumberFormatException e2) {
                return fallback;
            }
        }
    }

    private static Object toFloat(Object v, Object fallback) {
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(Values.str(v).strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    // ---- globals

    /** range, namespace, dict, raise_exception and strftime_now (from {@code clock}), as Hugging Face provides them. */
    static Map<String, Object> globals(java.time.Clock clock) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("range", (Function) (args, kw) -> {
            long start = args.size() > 1 ? ((Number) args.get(0)).longValue() : 0;
            long stop = ((Number) arg(args, args.size() > 1 ? 1 : 0)).longValue();
            long step = args.size() > 2 ? ((Number) args.get(2)).longValue() : 1;
            if (step == 0) throw new IllegalArgumentException("range() arg 3 must not be zero");
            // Jinja's sandbox, which Hugging Face renders with, refuses ranges above MAX_RANGE
            if ((stop - start) / step > MAX_RANGE) throw new IllegalArgumentException("range too big, maximum size for range is " + MAX_RANGE);
            List<Object> out = new ArrayList<>();
            for (long k = start; step > 0 ? k < stop : k > stop; k += step) out.add(k);
            return out;
        });
        g.put("namespace", (Function) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) if (a instanceof Map<?, ?> m) m.forEach((k, x) -> ns.attributes.put(Values.str(k), x));
            ns.attributes.putAll(kw);
            return ns;
        });
        g.put("dict", (Function) (args, kw) -> {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Object a : args) if (a instanceof Map<?, ?> m) out.putAll(m);
            out.putAll(kw);
            return out;
        });
        g.put("raise_exception", (Function) (args, kw) -> {
            throw new IllegalArgumentException("the template refuses: " + Values.str(args.isEmpty() ? "" : args.get(0)));
        });
        g.put("strftime_now", (Function) (args, kw) -> Strftime.format(Values.str(arg(args, 0)),
                java.time.ZonedDateTime.now(clock)));
        return g;
    }
}
