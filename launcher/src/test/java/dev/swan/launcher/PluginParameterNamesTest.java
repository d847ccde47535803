package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.BitAllocator;
import dev.swan.api.OutputFormat;
import dev.swan.api.ParameterSpec;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SwanPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The launcher knows no plugin's parameter names: what a plugin must tell the host (its baselines, its
 * working memory, its lines under a plan) goes through the SPI. Every parameter name of every built-in
 * plugin is searched for as a string literal in the launcher's sources.
 */
class PluginParameterNamesTest {
    /** Host vocabulary that some plugin also uses as a parameter name: the decision's and the tensor's own fields. */
    private static final Set<String> HOST_WORDS = Set.of("bits", "group_size", "dtype");

    @Test
    void launcherSourcesNameNoPluginParameter() throws Exception {
        Set<String> names = new TreeSet<>();
        List<SwanPlugin> plugins = new ArrayList<>();
        ServiceLoader.load(SensitivityMetric.class).forEach(plugins::add);
        ServiceLoader.load(BitAllocator.class).forEach(plugins::add);
        ServiceLoader.load(OutputFormat.class).forEach(plugins::add);
        for (SwanPlugin p : plugins) for (ParameterSpec s : p.parameters()) names.add(s.name());
        assertTrue(names.size() > 30 && names.contains("uniform_type") && names.contains("t8"), names.toString());
        names.removeAll(HOST_WORDS);
        List<String> found = new ArrayList<>();
        Path src = Path.of("src/main/java");
        try (var files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                String text = Files.readString(f);
                for (String n : names) if (text.contains("\"" + n + "\"")) found.add(src.relativize(f) + ": \"" + n + "\"");
            }
        }
        assertTrue(found.isEmpty(), "plugin parameter names in the launcher: " + found);
    }
}
