package dev.swan.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the project's shared fixtures ({@code ../shared}: small real models, eval texts). When the
 * folder is absent (a user's fresh clone) tests that need it are skipped with a message; CI sets
 * {@code -Dswan.requireSharedModels=true}, which turns the skip into a failure.
 */
public final class SharedModels {
    private SharedModels() {
    }

    /** The shared folder, or skips (fails in CI) when it is missing. */
    public static Path sharedDir() {
        String prop = System.getProperty("swan.sharedDir");
        Path dir = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(dir.resolve("models"))) {
            String msg = "shared fixtures not found at " + dir.toAbsolutePath().normalize()
                    + " (set -Dswan.sharedDir=...); skipping";
            if (Boolean.getBoolean("swan.requireSharedModels")) fail(msg.replace("skipping", "required in CI"));
            Assumptions.abort(msg);
        }
        return dir;
    }

    /** A model folder under {@code shared/models}, e.g. {@code stories260K}. */
    public static Path model(String name) {
        Path p = sharedDir().resolve("models").resolve(name);
        if (!Files.isDirectory(p)) fail("shared model " + name + " is missing from " + p);
        return p;
    }

    public static Path eval(String relative) {
        return sharedDir().resolve("eval").resolve(relative);
    }
}
