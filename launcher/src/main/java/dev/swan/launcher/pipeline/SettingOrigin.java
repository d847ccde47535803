package dev.swan.launcher.pipeline;

import dev.swan.api.ConfigException;

/**
 * Where one setting was written (a pipeline file's line and column, or the command line), so a problem
 * found later, against the model, still points at the setting to change.
 *
 * @param source file name or "command line"; null when the setting is a default
 * @param line   1-based line, or 0
 * @param column 1-based column, or 0
 */
public record SettingOrigin(String source, int line, int column) {
    public static final SettingOrigin NONE = new SettingOrigin(null, 0, 0);

    public ConfigException error(String problem) {
        return new ConfigException(source, line, column, problem);
    }
}
