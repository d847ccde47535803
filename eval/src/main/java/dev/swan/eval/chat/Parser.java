package dev.swan.eval.chat;

import dev.swan.eval.chat.Lexer.Kind;
import dev.swan.eval.chat.Lexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a template's statements from its tokens, with Jinja's grammar and operator precedence. */
final class Parser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=");

    private final List<Token> tokens;
    private final String where;
    private int i;
    /** The tag that ended the last body (its name consumed). */
    private String stoppedAt;

    private Parser(List<Token> tokens, String where) {
        this.tokens = tokens;
        this.where = where;
    }

    static List<Node> parse(String source, String where) {
        Parser p = new Parser(Lexer.tokens(source, where), where);
        List<Node> body = p.body(Set.of());
        if (p.peek().kind() != Kind.EOF) throw p.error("unexpected {% " + p.stoppedAt + " %}");
        return body;
    }

    private Token peek() {
        return tokens.get(i);
    }

    private Token next() {
        return tokens.get(i++);
    }

    private ChatTemplateException error(String message) {
        return new ChatTemplateException(where, peek().line(), message);
    }

    private boolean acceptOp(String op) {
        if (peek().isOp(op)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean acceptName(String name) {
        if (peek().isName(name)) {
            i++;
            return true;
        }
        return false;
    }

    private void expectOp(String op) {
        if (!acceptOp(op)) throw error("expected '" + op + "', found '" + peek().text() + "'");
    }

    private String expectName() {
        if (peek().kind() != Kind.NAME) throw error("expected a name, found '" + peek().text() + "'");
        return next().text();
    }

    private void expect(Kind kind) {
        if (peek().kind() != kind) {
            throw error("expected " + (kind == Kind.BLOCK_END ? "%}" : kind == Kind.VAR_END ? "}}" : kind.name())
                    + ", found '" + peek().text() + "'");
        }
        i++;
    }

    /** Statements up to one of the {@code stops} tags (its name consumed, recorded in {@link #stoppedAt}) or the end. */
    private List<Node> body(Set<String> stops) {
        List<Node> out = new ArrayList<>();
        stoppedAt = null;
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!stops.isEmpty()) throw error("the template ends before {% " + String.join(" %} or {% ", new java.util.TreeSet<>(stops)) + " %}");
                    return out;
                }
                case TEXT -> {
                    i++;
                    out.add(new Node.Text(t.text()));
                }
                case VAR_BEGIN -> {
                    i++;
                    out.add(new Node.Output(expression(), t.line()));
                    expect(Kind.VAR_END);
                }
                case BLOCK_BEGIN -> {
                    i++;
                    String tag = expectName();
                    if (stops.contains(tag)) {
                        stoppedAt = tag;
                        return out;
                    }
                    i--;
                    out.add(statement());
                }
                default -> throw error("unexpected '" + t.text() + "'");
            }
        }
    }

    private Node statement() {
        Token tag = next();
        switch (tag.text()) {
            case "if": return ifStatement();
            case "for": return forStatement(tag.line());
            case "set": return setStatement(tag.line());
            case "macro": return macro();
            case "break", "continue": {
                expect(Kind.BLOCK_END);
                return tag.text().equals("break") ? new Node.Break() : new Node.Continue();
            }
            case "generation": {
                // Hugging Face's marker of assistant text: renders its body
                expect(Kind.BLOCK_END);
                List<Node> body = body(Set.of("endgeneration"));
                expect(Kind.BLOCK_END);
                return new Node.If(List.of(new Expr.Literal(true, tag.line())), List.of(body), List.of());
            }
            default: throw new ChatTemplateException(where, tag.line(), "unknown or unsupported tag {% " + tag.text() + " %}");
        }
    }

    private Node ifStatement() {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conditions.add(expression());
        expect(Kind.BLOCK_END);
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            String stop = stoppedAt;
            if (stop.equals("elif")) {
                conditions.add(expression());
                expect(Kind.BLOCK_END);
            } else if (stop.equals("else")) {
                expect(Kind.BLOCK_END);
                List<Node> otherwise = body(Set.of("endif"));
                expect(Kind.BLOCK_END);
                return new Node.If(conditions, bodies, otherwise);
            } else {
                expect(Kind.BLOCK_END);
                return new Node.If(conditions, bodies, List.of());
            }
        }
    }

    private Node forStatement(int line) {
        List<String> targets = new ArrayList<>();
        boolean paren = acceptOp("(");
        do targets.add(expectName()); while (acceptOp(","));
        if (paren) expectOp(")");
        if (!acceptName("in")) throw error("expected 'in' in {% for %}");
        Expr iterable = orExpression();
        Expr filter = acceptName("if") ? expression() : null;
        if (acceptName("recursive")) throw error("recursive loops are not supported");
        expect(Kind.BLOCK_END);
        List<Node> body = body(Set.of("else", "endfor"));
        List<Node> otherwise = List.of();
        if (stoppedAt.equals("else")) {
            expect(Kind.BLOCK_END);
            otherwise = body(Set.of("endfor"));
        }
        expect(Kind.BLOCK_END);
        return new Node.For(targets, iterable, filter, body, otherwise, line);
    }

    private Node setStatement(int line) {
        String first = expectName();
        if (acceptOp(".")) {
            String attribute = expectName();
            expectOp("=");
            Expr value = expression();
            expect(Kind.BLOCK_END);
            return new Node.Set(List.of(), new Expr.Name(first, line), attribute, value, line);
        }
        List<String> names = new ArrayList<>(List.of(first));
        while (acceptOp(",")) names.add(expectName());
        if (names.size() == 1 && peek().kind() == Kind.BLOCK_END) {
            i++;
            List<Node> body = body(Set.of("endset"));
            expect(Kind.BLOCK_END);
            return new Node.SetBlock(first, body);
        }
        expectOp("=");
        Expr value = tupleOrExpression();
        expect(Kind.BLOCK_END);
        return new Node.Set(names, null, null, value, line);
    }

    private Node macro() {
        String name = expectName();
        expectOp("(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (!acceptOp(")")) {
            do {
                params.add(expectName());
                defaults.add(acceptOp("=") ? expression() : null);
            } while (acceptOp(","));
            expectOp(")");
        }
        expect(Kind.BLOCK_END);
        List<Node> body = body(Set.of("endmacro"));
        if (peek().kind() == Kind.NAME) i++;
        expect(Kind.BLOCK_END);
        return new Node.Macro(name, params, defaults, body);
    }

    /** {@code a, b} without brackets (the right side of a set) as a list. */
    private Expr tupleOrExpression() {
        int line = peek().line();
        Expr first = expression();
        if (!peek().isOp(",")) return first;
        List<Expr> items = new ArrayList<>(List.of(first));
        while (acceptOp(",")) items.add(expression());
        return new Expr.ListOf(items, line);
    }

    Expr expression() {
        int line = peek().line();
        Expr value = orExpression();
        if (acceptName("if")) {
            Expr condition = orExpression();
            Expr otherwise = acceptName("else") ? expression() : null;
            return new Expr.Conditional(condition, value, otherwise, line);
        }
        return value;
    }

    private Expr orExpression() {
        Expr left = andExpression();
        while (peek().isName("or")) {
            int line = next().line();
            left = new Expr.Binary("or", left, andExpression(), line);
        }
        return left;
    }

    private Expr andExpression() {
        Expr left = notExpression();
        while (peek().isName("and")) {
            int line = next().line();
            left = new Expr.Binary("and", left, notExpression(), line);
        }
        return left;
    }

    private Expr notExpression() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Expr.Unary("not", notExpression(), line);
        }
        return comparison();
    }

    private Expr comparison() {
        int line = peek().line();
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OP && COMPARISONS.contains(t.text())) {
                i++;
                ops.add(t.text());
            } else if (t.isName("in")) {
                i++;
                ops.add("in");
            } else if (t.isName("not") && tokens.get(i + 1).isName("in")) {
                i += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest, line);
    }

    private Expr math1() {
        Expr left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            left = new Expr.Binary(op.text(), left, concat(), op.line());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (peek().isOp("~")) {
            int line = next().line();
            left = new Expr.Binary("~", left, math2(), line);
        }
        return left;
    }

    private Expr math2() {
        Expr left = power();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token op = next();
            left = new Expr.Binary(op.text(), left, power(), op.line());
        }
        return left;
    }

    private Expr power() {
        Expr left = unary(true);
        while (peek().isOp("**")) {
            int line = next().line();
            left = new Expr.Binary("**", left, unary(true), line);
        }
        return left;
    }

    private Expr unary(boolean withFilters) {
        Token t = peek();
        Expr e;
        if (t.isOp("-") || t.isOp("+")) {
            i++;
            e = new Expr.Unary(t.text(), unary(false), t.line());
        } else {
            e = postfix(primary());
        }
        return withFilters ? filters(e) : e;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE, t.line());
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE, t.line());
                    case "none", "None" -> new Expr.Literal(null, t.line());
                    default -> new Expr.Name(t.text(), t.line());
                };
            }
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) s.append(next().text());
                return new Expr.Literal(s.toString(), t.line());
            }
            case INT, FLOAT -> {
                return new Expr.Literal(t.value(), t.line());
            }
            case OP -> {
                if (t.text().equals("(")) {
                    if (acceptOp(")")) return new Expr.ListOf(List.of(), t.line());
                    Expr first = expression();
                    if (acceptOp(")")) return first;
                    List<Expr> items = new ArrayList<>(List.of(first));
                    while (acceptOp(",")) {
                        if (peek().isOp(")")) break;
                        items.add(expression());
                    }
                    expectOp(")");
                    return new Expr.ListOf(items, t.line());
                }
                if (t.text().equals("[")) {
                    List<Expr> items = new ArrayList<>();
                    while (!acceptOp("]")) {
                        items.add(expression());
                        if (!acceptOp(",")) {
                            expectOp("]");
                            break;
                        }
                    }
                    return new Expr.ListOf(items, t.line());
                }
                if (t.text().equals("{")) {
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!acceptOp("}")) {
                        keys.add(expression());
                        expectOp(":");
                        values.add(expression());
                        if (!acceptOp(",")) {
                            expectOp("}");
                            break;
                        }
                    }
                    return new Expr.DictOf(keys, values, t.line());
                }
            }
            default -> {
            }
        }
        i--;
        throw error("unexpected '" + t.text() + "' in an expression");
    }

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                i++;
                Token name = next();
                if (name.kind() != Kind.NAME && name.kind() != Kind.INT) throw error("expected a name after '.'");
                e = name.kind() == Kind.INT ? new Expr.Item(e, new Expr.Literal(name.value(), name.line()), name.line())
                        : new Expr.Attribute(e, name.text(), name.line());
            } else if (t.isOp("[")) {
                i++;
                e = subscript(e, t.line());
            } else if (t.isOp("(")) {
                i++;
                e = call(e, t.line());
            } else {
                return e;
            }
        }
    }

    private Expr subscript(Expr target, int line) {
        Expr start = null;
        if (!peek().isOp(":")) {
            start = expression();
            if (acceptOp("]")) return new Expr.Item(target, start, line);
        }
        expectOp(":");
        Expr stop = peek().isOp(":") || peek().isOp("]") ? null : expression();
        Expr step = null;
        if (acceptOp(":") && !peek().isOp("]")) step = expression();
        expectOp("]");
        return new Expr.Slice(target, start, stop, step, line);
    }

    private Expr call(Expr function, int line) {
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        arguments(args, kwargs);
        return new Expr.Call(function, args, kwargs, line);
    }

    /** Arguments after '(' up to and including ')'. */
    private void arguments(List<Expr> args, Map<String, Expr> kwargs) {
        while (!acceptOp(")")) {
            if (peek().isOp("*") || peek().isOp("**")) throw error("*args and **kwargs are not supported");
            if (peek().kind() == Kind.NAME && tokens.get(i + 1).isOp("=")) {
                String name = next().text();
                i++;
                kwargs.put(name, expression());
            } else {
                if (!kwargs.isEmpty()) throw error("a positional argument follows a keyword argument");
                args.add(expression());
            }
            if (!acceptOp(",")) {
                expectOp(")");
                break;
            }
        }
    }

    private Expr filters(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp("|")) {
                i++;
                String name = expectName();
                while (acceptOp(".")) name += "." + expectName();
                List<Expr> args = new ArrayList<>();
                Map<String, Expr> kwargs = new LinkedHashMap<>();
                if (acceptOp("(")) arguments(args, kwargs);
                e = new Expr.Filter(e, name, args, kwargs, t.line());
            } else if (t.isName("is")) {
                i++;
                boolean negated = acceptName("not");
                String name = expectName();
                List<Expr> args = new ArrayList<>();
                if (acceptOp("(")) {
                    Map<String, Expr> kwargs = new LinkedHashMap<>();
                    arguments(args, kwargs);
                } else if (startsTestArgument(peek())) {
                    args.add(postfix(primary()));
                }
                e = new Expr.Test(e, name, args, negated, t.line());
            } else {
                return e;
            }
        }
    }

    /** Whether a test is given one argument without parentheses ({@code x is divisibleby 3}). */
    private static boolean startsTestArgument(Token t) {
        return switch (t.kind()) {
            case STRING, INT, FLOAT -> true;
            case NAME -> !Set.of("else", "or", "and", "if", "is", "in", "not").contains(t.text());
            case OP -> t.text().equals("[") || t.text().equals("{");
            default -> false;
        };
    }
}
