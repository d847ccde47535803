package dev.swan.eval.chat;

import java.util.List;
import java.util.Map;

/** An expression of a parsed template; {@code line} says where, for errors. */
sealed interface Expr {
    int line();

    record Literal(Object value, int line) implements Expr {
    }

    record Name(String name, int line) implements Expr {
    }

    record ListOf(List<Expr> items, int line) implements Expr {
    }

    record DictOf(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }

    record Attribute(Expr target, String name, int line) implements Expr {
    }

    record Item(Expr target, Expr key, int line) implements Expr {
    }

    /** {@code target[start:stop:step]}, any part null when left out. */
    record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    record Call(Expr function, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {
    }

    record Filter(Expr value, String name, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {
    }

    record Test(Expr value, String name, List<Expr> args, boolean negated, int line) implements Expr {
    }

    record Unary(String op, Expr operand, int line) implements Expr {
    }

    /** Arithmetic, concatenation, {@code and}, {@code or}. */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {
    }

    /** A comparison chain {@code a op b op c}, as in Python. */
    record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {
    }

    /** {@code then if condition else otherwise} (otherwise null: undefined). */
    record Conditional(Expr condition, Expr then, Expr otherwise, int line) implements Expr {
    }
}
