package dev.swan.launcher.hub;

import dev.swan.api.SwanException;

/**
 * A model could not be downloaded from the Hugging Face hub: not found, gated or private without a token,
 * offline, a file that failed its checksum, a full disk. What was downloaded so far stays in the cache
 * ({@code blobs/*.incomplete}) for the same command to resume.
 */
public final class HubException extends SwanException {
    private static final long serialVersionUID = 1L;

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }

    public HubException(String message) {
        super(message, null);
    }
}
