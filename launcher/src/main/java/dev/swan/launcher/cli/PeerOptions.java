package dev.swan.launcher.cli;

import dev.swan.api.OutputFormat;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.plugins.PluginRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The peers' converter options that a format parameter means (mlx_lm.convert's --dtype, llama-quantize's
 * --override-kv), passed to the output's format as the parameter it names in {@link OutputFormat#peerOptions},
 * so the launcher offers the peers' spellings without knowing any format's keys. An option the chosen
 * format has no meaning for is refused in one line naming the formats that take it.
 */
final class PeerOptions {
    private PeerOptions() {
    }

    static PipelineSettings apply(PipelineSettings s, PluginRegistry plugins, Map<String, List<String>> given,
                                  CommandLine cmd) {
        if (given.isEmpty()) return s;
        if (!plugins.hasFormat(s.format())) return s; // refused later with the list of formats
        OutputFormat f = plugins.format(s.format());
        Map<String, Object> options = new LinkedHashMap<>(s.formatOptions());
        for (Map.Entry<String, List<String>> e : given.entrySet()) {
            String parameter = f.peerOptions().get(e.getKey());
            if (parameter == null) {
                List<String> takers = plugins.formats().stream().filter(p -> p.plugin().peerOptions().containsKey(e.getKey()))
                        .map(p -> p.plugin().id()).toList();
                throw new CommandLine.ParameterException(cmd, e.getKey() + " does not apply to " + s.format() + " outputs"
                        + (takers.isEmpty() ? "" : " (it is an option of " + String.join(", ", takers) + " outputs: give -f "
                        + takers.get(0) + ")"));
            }
            String value = String.join(";", e.getValue());
            // typed as the parameter is, as a pipeline file's value would be
            Object typed = value;
            for (dev.swan.api.ParameterSpec p : f.parameters()) {
                if (!p.name().equals(parameter)) continue;
                if (p.type() == dev.swan.api.ParameterSpec.Type.BOOLEAN) typed = Boolean.parseBoolean(value);
            }
            options.put(parameter, typed);
        }
        return s.withFormat(s.format(), options);
    }
}
