package dev.swan.launcher.pipeline;

import dev.swan.api.SwanException;

/** The JVM may not use enough heap for the work asked of it: says how much is needed and how to get it. */
public final class HeapTooSmallException extends SwanException {
    private static final long serialVersionUID = 1L;

    public HeapTooSmallException(String message) {
        super(message, null);
    }
}
