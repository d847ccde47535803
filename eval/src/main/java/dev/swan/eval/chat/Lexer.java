package dev.swan.eval.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a Jinja template into text and tag tokens with the whitespace rules Hugging Face renders chat
 * templates with: {@code trim_blocks} (the newline after a block or comment tag goes), {@code lstrip_blocks}
 * (spaces and tabs before a block or comment tag on its own line go), and the {@code -} / {@code +} markers.
 */
final class Lexer {
    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(Kind kind, String text, Object value, int line) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }

        boolean isOp(String t) {
            return is(Kind.OP, t);
        }

        boolean isName(String t) {
            return is(Kind.NAME, t);
        }
    }

    private static final String[] OPERATORS = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">",
        "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "="};

    private final String src;
    private final String where;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;

    private Lexer(String src, String where) {
        this.src = src;
        this.where = where;
    }

    static List<Token> tokens(String src, String where) {
        Lexer l = new Lexer(src, where);
        l.run();
        return l.out;
    }

    private ChatTemplateException error(String message) {
        return new ChatTemplateException(where, line, message);
    }

    private void run() {
        boolean stripNext = false;
        boolean trimNewline = false;
        while (pos < src.length()) {
            int tag = nextTag(pos);
            String text = src.substring(pos, tag < 0 ? src.length() : tag);
            if (stripNext) text = stripLeading(text);
            else if (trimNewline) text = text.startsWith("\r\n") ? text.substring(2) : text.startsWith("\n") ? text.substring(1) : text;
            stripNext = false;
            trimNewline = false;
            if (tag < 0) {
                text(text);
                pos = src.length();
                break;
            }
            char kind = src.charAt(tag + 1);
            char mark = tag + 2 < src.length() ? src.charAt(tag + 2) : ' ';
            if (mark == '-') text = stripTrailing(text);
            else if (kind != '{' && mark != '+') text = lstripLine(text, tag);
            text(text);
            countLines(pos, tag);
            pos = tag + 2 + (mark == '-' || mark == '+' ? 1 : 0);
            if (kind == '#') {
                int end = src.indexOf("#}", pos);
                if (end < 0) throw error("a comment is not closed (#})");
                countLines(pos, end);
                stripNext = src.charAt(end - 1) == '-';
                trimNewline = !stripNext && src.charAt(end - 1) != '+';
                pos = end + 2;
                continue;
            }
            boolean block = kind == '%';
            out.add(new Token(block ? Kind.BLOCK_BEGIN : Kind.VAR_BEGIN, block ? "{%" : "{{", null, line));
            int first = out.size();
            String close = block ? "%}" : "}}";
            while (true) {
                skipSpace();
                if (pos >= src.length()) throw error("a tag is not closed (" + close + ")");
                if (src.startsWith(close, pos) || (src.startsWith("-" + close, pos) || src.startsWith("+" + close, pos))) {
                    char m = src.charAt(pos);
                    pos += m == '-' || m == '+' ? 3 : 2;
                    stripNext = m == '-';
                    trimNewline = block && m != '-' && m != '+';
                    out.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, close, null, line));
                    break;
                }
                expressionToken();
            }
            if (block && out.size() == first + 2 && out.get(first).isName("raw")) raw(first);
        }
        out.add(new Token(Kind.EOF, "", null, line));
    }

    /** {% raw %} ... {% endraw %}: the text between, as is. */
    private void raw(int first) {
        out.remove(out.size() - 1);
        out.remove(out.size() - 1);
        out.remove(out.size() - 1);
        int i = pos;
        while (true) {
            int tag = src.indexOf("{%", i);
            if (tag < 0) throw error("{% raw %} is not closed by {% endraw %}");
            int j = tag + 2;
            if (j < src.length() && (src.charAt(j) == '-' || src.charAt(j) == '+')) j++;
            while (j < src.length() && Character.isWhitespace(src.charAt(j))) j++;
            if (src.startsWith("endraw", j)) {
                String body = src.substring(pos, tag);
                if (src.charAt(tag + 2) == '-') body = stripTrailing(body);
                text(body);
                countLines(pos, tag);
                int end = src.indexOf("%}", j);
                if (end < 0) throw error("{% endraw %} is not closed");
                pos = end + 2;
                return;
            }
            i = tag + 2;
        }
    }

    private void text(String text) {
        if (!text.isEmpty()) out.add(new Token(Kind.TEXT, text, text, line));
    }

    private int nextTag(int from) {
        int i = from;
        while (true) {
            int k = src.indexOf('{', i);
            if (k < 0 || k + 1 >= src.length()) return -1;
            char c = src.charAt(k + 1);
            if (c == '{' || c == '%' || c == '#') return k;
            i = k + 1;
        }
    }

    /** lstrip_blocks: the spaces and tabs before the tag go when nothing else stands between it and the line's start. */
    private String lstripLine(String text, int tag) {
        int j = tag;
        while (j > 0 && (src.charAt(j - 1) == ' ' || src.charAt(j - 1) == '\t')) j--;
        if (j > 0 && !isNewline(src.charAt(j - 1))) return text;
        int k = text.length();
        while (k > 0 && (text.charAt(k - 1) == ' ' || text.charAt(k - 1) == '\t')) k--;
        return text.substring(0, k);
    }

    private static boolean isNewline(char c) {
        return c == '\n' || c == '\r';
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int k = s.length();
        while (k > 0 && Character.isWhitespace(s.charAt(k - 1))) k--;
        return s.substring(0, k);
    }

    private void countLines(int from, int to) {
        for (int i = from; i < to && i < src.length(); i++) if (src.charAt(i) == '\n') line++;
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            if (src.charAt(pos) == '\n') line++;
            pos++;
        }
    }

    private void expressionToken() {
        char c = src.charAt(pos);
        if (Character.isLetter(c) || c == '_') {
            int s = pos;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
            String name = src.substring(s, pos);
            out.add(new Token(Kind.NAME, name, name, line));
        } else if (Character.isDigit(c)) {
            number();
        } else if (c == '\'' || c == '"') {
            string(c);
        } else {
            for (String op : OPERATORS) {
                if (src.startsWith(op, pos)) {
                    pos += op.length();
                    out.add(new Token(Kind.OP, op, op, line));
                    return;
                }
            }
            throw error("unexpected character '" + c + "'");
        }
    }

    private void number() {
        int s = pos;
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
        boolean fraction = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            fraction = true;
            pos++;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int e = pos + 1;
            if (e < src.length() && (src.charAt(e) == '+' || src.charAt(e) == '-')) e++;
            if (e < src.length() && Character.isDigit(src.charAt(e))) {
                fraction = true;
                pos = e;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
            }
        }
        String text = src.substring(s, pos).replace("_", "");
        out.add(fraction ? new Token(Kind.FLOAT, text, Double.parseDouble(text), line)
                : new Token(Kind.INT, text, Long.parseLong(text), line));
    }

    private void string(char quote) {
        StringBuilder b = new StringBuilder();
        int startLine = line;
        pos++;
        while (true) {
            if (pos >= src.length()) throw new ChatTemplateException(where, startLine, "a string is not closed");
            char c = src.charAt(pos++);
            if (c == quote) break;
            if (c == '\n') line++;
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= src.length()) throw error("a string ends in a backslash");
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '0' -> b.append('\0');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case '\\', '\'', '"' -> b.append(e);
                case '\n' -> line++;
                case 'x' -> b.append((char) hex(2));
                case 'u' -> b.append((char) hex(4));
                case 'U' -> b.appendCodePoint(hex(8));
                default -> b.append('\\').append(e);
            }
        }
        out.add(new Token(Kind.STRING, b.toString(), b.toString(), startLine));
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error("a \\x or \\u escape is cut short");
        try {
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            return v;
        } catch (NumberFormatException e) {
            throw error("bad escape \\" + src.substring(pos - 1, pos + digits));
        }
    }
}
