package dev.swan.api;

/**
 * A plugin that cannot be used: not found, duplicated, built against an incompatible SPI, or failing
 * while it works on a tensor. Carries the plugin id and, where it applies, the tensor name.
 */
public final class PluginException extends SwanException {
    private static final long serialVersionUID = 1L;
    private final String pluginId;
    private final String tensor;
    private final String problem;

    public PluginException(String pluginId, String tensor, String problem, Throwable cause) {
        super(format(pluginId, tensor, problem), cause);
        this.pluginId = pluginId;
        this.tensor = tensor;
        this.problem = problem;
    }

    public PluginException(String pluginId, String problem) {
        this(pluginId, null, problem, null);
    }

    public String pluginId() {
        return pluginId;
    }

    /** The message without the plugin id and tensor. */
    public String problem() {
        return problem;
    }

    /** The tensor being processed when the plugin failed, or null. */
    public String tensor() {
        return tensor;
    }

    private static String format(String pluginId, String tensor, String problem) {
        StringBuilder sb = new StringBuilder("plugin '").append(pluginId).append('\'');
        if (tensor != null) sb.append(", tensor ").append(tensor);
        return sb.append(": ").append(problem).toString();
    }
}
