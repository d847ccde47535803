package dev.swan.eval;

import dev.swan.api.SwanException;

/**
 * An evaluation that cannot run as asked: a text the tokenizer cannot encode, a context longer than the
 * model's, too few tokens for one chunk. The message names the file or option and says what would work.
 */
public final class EvalException extends SwanException {
    private static final long serialVersionUID = 1L;

    public EvalException(String message) {
        super(message, null);
    }

    /** Text quoted for a one-line message: control characters as U+XXXX, cut after 40 characters. */
    public static String quoted(String s) {
        StringBuilder sb = new StringBuilder("'");
        s.codePoints().limit(40).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.UNASSIGNED) sb.append(String.format("U+%04X", c));
            else sb.appendCodePoint(c);
        });
        if (s.codePointCount(0, s.length()) > 40) sb.append("...");
        return sb.append("'").toString();
    }
}
