package dev.swan.eval.chat;

import dev.swan.eval.chat.Values.Undefined;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a parsed template: statements write text, expressions are evaluated with Python's semantics. */
final class Renderer {
    /** Variables of one scope: the template, a loop iteration or a macro call. */
    static final class Frame {
        private final Map<String, Object> vars = new HashMap<>();
        private final Frame parent;

        Frame(Frame parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Frame f = this; f != null; f = f.parent) if (f.vars.containsKey(name)) return f.vars.get(name);
            return new Undefined(name);
        }

        void set(String name, Object value) {
            vars.put(name, value);
        }
    }

    /** {@code namespace(...)}: the one object a template may change from inside a loop. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    /** The {@code loop} variable of a for loop. */
    record Loop(int index0, List<Object> items) {
        Object attribute(String name) {
            int n = items.size();
            return switch (name) {
                case "index" -> (long) index0 + 1;
                case "index0" -> (long) index0;
                case "revindex" -> (long) (n - index0);
                case "revindex0" -> (long) (n - index0 - 1);
                case "first" -> index0 == 0;
                case "last" -> index0 == n - 1;
                case "length" -> (long) n;
                case "depth" -> 1L;
                case "depth0" -> 0L;
                case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("previtem");
                case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : new Undefined("nextitem");
                case "cycle" -> (Values.Function) (args, kwargs) -> args.isEmpty() ? new Undefined("cycle") : args.get(index0 % args.size());
                default -> new Undefined("loop." + name);
            };
        }
    }

    private static final class Break extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Break() {
            super(null, null, false, false);
        }
    }

    private static final class Continue extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Continue() {
            super(null, null, false, false);
        }
    }

    /** Macro calls deeper than this are refused (Python stops recursion at about a thousand frames). */
    private static final int MAX_MACRO_DEPTH = 200;
    private final String where;
    private final Builtins builtins;
    private final Frame root;
    private int macroDepth;

    Renderer(String where, Builtins builtins, Map<String, Object> variables) {
        this.where = where;
        this.builtins = builtins;
        this.root = new Frame(null);
        variables.forEach(root::set);
    }

    String render(List<Node> nodes) {
        StringBuilder out = new StringBuilder();
        try {
            exec(nodes, root, out);
        } catch (Break | Continue e) {
            throw new ChatTemplateException(where, 0, "{% break %} or {% continue %} outside a loop");
        }
        return out.toString();
    }

    ChatTemplateException error(int line, String message) {
        return new ChatTemplateException(where, line, message);
    }

    private void exec(List<Node> nodes, Frame f, StringBuilder out) {
        for (Node n : nodes) exec(n, f, out);
    }

    private void exec(Node n, Frame f, StringBuilder out) {
        if (n instanceof Node.Text t) {
            out.append(t.text());
        } else if (n instanceof Node.Output o) {
            out.append(Values.str(eval(o.value(), f)));
        } else if (n instanceof Node.If s) {
            for (int k = 0; k < s.conditions().size(); k++) {
                if (Values.truthy(eval(s.conditions().get(k), f))) {
                    exec(s.bodies().get(k), f, out);
                    return;
                }
            }
            exec(s.otherwise(), f, out);
        } else if (n instanceof Node.For s) {
            loop(s, f, out);
        } else if (n instanceof Node.Set s) {
            Object value = eval(s.value(), f);
            if (s.namespace() != null) {
                Object ns = eval(s.namespace(), f);
                if (!(ns instanceof Namespace space)) throw error(s.line(), "can only set attributes of a namespace()");
                space.attributes.put(s.attribute(), value);
            } else if (s.names().size() == 1) {
                f.set(s.names().get(0), value);
            } else {
                List<Object> items = unpack(value, s.names().size(), s.line());
                for (int k = 0; k < items.size(); k++) f.set(s.names().get(k), items.get(k));
            }
        } else if (n instanceof Node.SetBlock s) {
            StringBuilder b = new StringBuilder();
            exec(s.body(), f, b);
            f.set(s.name(), b.toString());
        } else if (n instanceof Node.Macro m) {
            f.set(m.name(), macro(m, f));
        } else if (n instanceof Node.Break) {
            throw new Break();
        } else if (n instanceof Node.Continue) {
            throw new Continue();
        }
    }

    private void loop(Node.For s, Frame f, StringBuilder out) {
        List<Object> items;
        try {
            items = Values.iterate(eval(s.iterable(), f));
        } catch (IllegalArgumentException e) {
            throw error(s.line(), e.getMessage());
        }
        if (s.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Frame test = new Frame(f);
                bind(s, item, test);
                if (Values.truthy(eval(s.filter(), test))) kept.add(item);
            }
            items = kept;
        }
        if (items.isEmpty()) {
            exec(s.otherwise(), f, out);
            return;
        }
        for (int k = 0; k < items.size(); k++) {
            Frame body = new Frame(f);
            bind(s, items.get(k), body);
            body.set("loop", new Loop(k, items));
            try {
                exec(s.body(), body, out);
            } catch (Continue c) {
                // next item
            } catch (Break b) {
                break;
            }
        }
    }

    private void bind(Node.For s, Object item, Frame frame) {
        if (s.targets().size() == 1) {
            frame.set(s.targets().get(0), item);
            return;
        }
        List<Object> parts = unpack(item, s.targets().size(), s.line());
        for (int k = 0; k < parts.size(); k++) frame.set(s.targets().get(k), parts.get(k));
    }

    private List<Object> unpack(Object value, int n, int line) {
        List<Object> parts;
        try {
            parts = Values.iterate(value);
        } catch (IllegalArgumentException e) {
            throw error(line, "cannot unpack: " + e.getMessage());
        }
        if (parts.size() != n) throw error(line, "expected " + n + " values to unpack, got " + parts.size());
        return parts;
    }

    private Values.Function macro(Node.Macro m, Frame defined) {
        return (args, kwargs) -> {
            if (macroDepth >= MAX_MACRO_DEPTH) {
                throw new IllegalArgumentException("maximum recursion depth exceeded in macro '" + m.name() + "'");
            }
            macroDepth++;
            try {
                return call(m, defined, args, kwargs);
            } finally {
                macroDepth--;
            }
        };
    }

    private String call(Node.Macro m, Frame defined, List<Object> args, Map<String, Object> kwargs) {
        Frame call = new Frame(defined);
        if (args.size() > m.params().size()) throw new IllegalArgumentException("macro '" + m.name() + "' takes " + m.params().size() + " arguments");
        for (int k = 0; k < m.params().size(); k++) {
            String p = m.params().get(k);
            Object v;
            if (k < args.size()) v = args.get(k);
            else if (kwargs.containsKey(p)) v = kwargs.get(p);
            else if (m.defaults().get(k) != null) v = eval(m.defaults().get(k), defined);
            else v = new Undefined(p);
            call.set(p, v);
        }
        StringBuilder b = new StringBuilder();
        exec(m.body(), call, b);
        return b.toString();
    }

    Object eval(Expr e, Frame f) {
        try {
            return evaluate(e, f);
        } catch (IllegalArgumentException | ClassCastException | ArithmeticException | IndexOutOfBoundsException x) {
            throw error(e.line(), x.getMessage());
        }
    }

    private Object evaluate(Expr e, Frame f) {
        if (e instanceof Expr.Literal l) return l.value();
        if (e instanceof Expr.Name n) return f.lookup(n.name());
        if (e instanceof Expr.ListOf l) {
            List<Object> out = new ArrayList<>();
            for (Expr x : l.items()) out.add(eval(x, f));
            return out;
        }
        if (e instanceof Expr.DictOf d) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (int k = 0; k < d.keys().size(); k++) out.put(eval(d.keys().get(k), f), eval(d.values().get(k), f));
            return out;
        }
        if (e instanceof Expr.Attribute a) {
            Object target = eval(a.target(), f);
            if (target instanceof Undefined u) throw error(a.line(), "'" + u.name() + "' is undefined");
            return builtins.attribute(target, a.name());
        }
        if (e instanceof Expr.Item it) {
            Object target = eval(it.target(), f);
            if (target instanceof Undefined u) throw error(it.line(), "'" + u.name() + "' is undefined");
            return builtins.item(target, eval(it.key(), f));
        }
        if (e instanceof Expr.Slice s) {
            Object target = eval(s.target(), f);
            return Builtins.slice(target, s.start() == null ? null : eval(s.start(), f), s.stop() == null ? null : eval(s.stop(), f),
                    s.step() == null ? null : eval(s.step(), f));
        }
        if (e instanceof Expr.Call c) {
            Object fn = eval(c.function(), f);
            if (fn instanceof Undefined u) throw error(c.line(), "'" + u.name() + "' is undefined");
            if (!(fn instanceof Values.Function function)) throw error(c.line(), "'" + Values.typeName(fn) + "' object is not callable");
            return function.call(values(c.args(), f), values(c.kwargs(), f));
        }
        if (e instanceof Expr.Filter fl) {
            return builtins.filter(fl.name(), eval(fl.value(), f), values(fl.args(), f), values(fl.kwargs(), f));
        }
        if (e instanceof Expr.Test t) {
            boolean r = builtins.test(t.name(), eval(t.value(), f), values(t.args(), f));
            return t.negated() != r;
        }
        if (e instanceof Expr.Unary u) {
            Object v = eval(u.operand(), f);
            return switch (u.op()) {
                case "not" -> !Values.truthy(v);
                case "-" -> Builtins.negate(v);
                default -> v;
            };
        }
        if (e instanceof Expr.Binary b) {
            Object left = eval(b.left(), f);
            if (b.op().equals("and")) return Values.truthy(left) ? eval(b.right(), f) : left;
            if (b.op().equals("or")) return Values.truthy(left) ? left : eval(b.right(), f);
            return Builtins.arithmetic(b.op(), left, eval(b.right(), f));
        }
        if (e instanceof Expr.Compare c) {
            Object left = eval(c.first(), f);
            for (int k = 0; k < c.ops().size(); k++) {
                Object right = eval(c.rest().get(k), f);
                if (!Builtins.compare(c.ops().get(k), left, right)) return false;
                left = right;
            }
            return true;
        }
        if (e instanceof Expr.Conditional c) {
            if (Values.truthy(eval(c.condition(), f))) return eval(c.then(), f);
            return c.otherwise() == null ? new Undefined("else") : eval(c.otherwise(), f);
        }
        throw error(e.line(), "cannot evaluate " + e.getClass().getSimpleName());
    }

    private List<Object> values(List<Expr> exprs, Frame f) {
        List<Object> out = new ArrayList<>();
        for (Expr x : exprs) out.add(eval(x, f));
        return out;
    }

    private Map<String, Object> values(Map<String, Expr> exprs, Frame f) {
        Map<String, Object> out = new LinkedHashMap<>();
        exprs.forEach((k, v) -> out.put(k, eval(v, f)));
        return out;
    }
}
