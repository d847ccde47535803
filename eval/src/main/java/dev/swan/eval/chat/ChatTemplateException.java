package dev.swan.eval.chat;

import dev.swan.api.SwanException;

/** A chat template that cannot be read or rendered: where (the template's line) and what is wrong there. */
public final class ChatTemplateException extends SwanException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String where, int line, String message) {
        super(where + ", chat template line " + line + ": " + message, null);
    }
}
