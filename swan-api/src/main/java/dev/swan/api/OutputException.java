package dev.swan.api;

import java.nio.file.Path;

/** An output that cannot be written: target exists, unsupported architecture or tokenizer, bad data. */
public final class OutputException extends SwanException {
    private static final long serialVersionUID = 1L;
    private final transient Path target;

    public OutputException(Path target, String problem) {
        this(target, problem, null);
    }

    public OutputException(Path target, String problem, Throwable cause) {
        super((target == null ? "" : target + ": ") + problem, cause);
        this.target = target;
    }

    public Path target() {
        return target;
    }
}
