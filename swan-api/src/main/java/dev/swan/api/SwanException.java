package dev.swan.api;

/**
 * Base of every user-facing failure. The message is a single line that says what went wrong, where
 * (file, tensor, key or YAML line) and, where possible, how to fix it; the CLI prints it as is.
 */
public abstract class SwanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected SwanException(String message, Throwable cause) {
        super(message, cause);
    }
}
