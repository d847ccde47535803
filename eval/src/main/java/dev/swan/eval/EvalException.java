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
}
