package dev.swan.eval.chat;

import java.util.List;

/** A statement of a parsed template. */
sealed interface Node {
    record Text(String text) implements Node {
    }

    record Output(Expr value, int line) implements Node {
    }

    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {
    }

    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise, int line) implements Node {
    }

    /** {@code set name = value}, {@code set a, b = value} or {@code set ns.attr = value}. */
    record Set(List<String> names, Expr namespace, String attribute, Expr value, int line) implements Node {
    }

    /** {@code set name} ... {@code endset}: the body's output as a string. */
    record SetBlock(String name, List<Node> body) implements Node {
    }

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node {
    }

    record Break() implements Node {
    }

    record Continue() implements Node {
    }
}
