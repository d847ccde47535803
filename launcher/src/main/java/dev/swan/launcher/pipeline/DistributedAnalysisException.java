package dev.swan.launcher.pipeline;

import dev.swan.api.SwanException;

/**
 * The cluster could not finish the analysis (a task failed every attempt, or the cluster went away):
 * names the task's failure; what finished is kept in the journal for the same command to resume.
 */
public final class DistributedAnalysisException extends SwanException {
    private static final long serialVersionUID = 1L;

    public DistributedAnalysisException(String message, Throwable cause) {
        super(message, cause);
    }
}
