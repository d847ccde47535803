package dev.swan.api;

import java.util.List;

/**
 * One parameter a plugin accepts.
 *
 * @param name         key in YAML and manifests (snake_case)
 * @param type         value type
 * @param defaultValue value used when none is given (Integer, Double, Boolean or String)
 * @param description  one line for help output
 * @param choices      allowed values for {@link Type#STRING} parameters; empty means any string
 */
public record ParameterSpec(String name, Type type, Object defaultValue, String description, List<String> choices) {

    public enum Type { INT, DOUBLE, BOOLEAN, STRING }

    public ParameterSpec {
        choices = List.copyOf(choices);
    }

    public static ParameterSpec ofInt(String name, int def, String description) {
        return new ParameterSpec(name, Type.INT, def, description, List.of());
    }

    public static ParameterSpec ofDouble(String name, double def, String description) {
        return new ParameterSpec(name, Type.DOUBLE, def, description, List.of());
    }

    public static ParameterSpec ofBoolean(String name, boolean def, String description) {
        return new ParameterSpec(name, Type.BOOLEAN, def, description, List.of());
    }

    public static ParameterSpec ofString(String name, String def, String description, String... choices) {
        return new ParameterSpec(name, Type.STRING, def, description, List.of(choices));
    }
}
