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
 * @param min          smallest allowed value of a number, inclusive ({@code -Infinity}: none)
 * @param max          largest allowed value of a number, inclusive ({@code Infinity}: none)
 */
public record ParameterSpec(String name, Type type, Object defaultValue, String description, List<String> choices,
                            double min, double max) {

    public enum Type { INT, DOUBLE, BOOLEAN, STRING }

    public ParameterSpec {
        choices = List.copyOf(choices);
    }

    /** A parameter without a range. */
    public ParameterSpec(String name, Type type, Object defaultValue, String description, List<String> choices) {
        this(name, type, defaultValue, description, choices, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** The same parameter, its numbers limited to [min, max] (checked wherever a value is given). */
    public ParameterSpec withRange(double min, double max) {
        return new ParameterSpec(name, type, defaultValue, description, choices, min, max);
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
