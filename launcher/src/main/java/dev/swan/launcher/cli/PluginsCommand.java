package dev.swan.launcher.cli;

import dev.swan.launcher.pipeline.Json;
import dev.swan.api.ParameterSpec;
import dev.swan.api.SwanPlugin;
import dev.swan.launcher.SwanCommand;
import dev.swan.launcher.plugins.LoadedPlugin;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan plugins}: every metric, allocator and format found, and where it came from. */
@Command(name = "plugins", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List every metric, allocator and output format found: id, version, origin (jar path or "
                + "bundle) and how it was loaded (classpath, plugin-folder, osgi)."})
public final class PluginsCommand implements Callable<Integer> {
    @ParentCommand
    SwanCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Also list each plugin's parameters and defaults.")
    boolean verbose;

    /** One plugin in {@code swan plugins --json}. */
    record PluginJson(String kind, String id, String version, String spi, String origin,
                      @com.fasterxml.jackson.annotation.JsonProperty("loaded_via") String loadedVia, String description,
                      Map<String, Object> parameters) {
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        try (PluginRegistry reg = root.plugins()) {
            List<LoadedPlugin<? extends SwanPlugin>> all = new ArrayList<>();
            all.addAll(reg.metrics());
            all.addAll(reg.allocators());
            all.addAll(reg.formats());
            if (json) {
                List<PluginJson> list = new ArrayList<>();
                for (LoadedPlugin<? extends SwanPlugin> p : all) {
                    Map<String, Object> params = new LinkedHashMap<>();
                    for (ParameterSpec s : p.plugin().parameters()) params.put(s.name(), s.defaultValue());
                    list.add(new PluginJson(p.kind(), p.id(), p.plugin().version(), p.plugin().spiVersion(), p.origin(),
                            p.via(), p.plugin().description(), params));
                }
                out.println(Json.MAPPER.writeValueAsString(list));
                return 0;
            }
            if (all.isEmpty()) {
                out.println("No plugins found. Searched: the classpath and " + root.pluginFolders());
                return 0;
            }
            Table t = new Table("KIND", "ID", "VERSION", "LOADED VIA", "ORIGIN", "DESCRIPTION");
            for (LoadedPlugin<? extends SwanPlugin> p : all) {
                t.row(p.kind(), p.id(), p.plugin().version(), p.via(), p.origin(), p.plugin().description());
            }
            t.print(out);
            if (verbose) {
                for (LoadedPlugin<? extends SwanPlugin> p : all) {
                    if (p.plugin().parameters().isEmpty()) continue;
                    out.println();
                    out.println(p.kind() + " " + p.id() + ":");
                    for (ParameterSpec s : p.plugin().parameters()) {
                        out.println("  " + s.name() + " = " + s.defaultValue() + "  (" + s.type().name().toLowerCase()
                                + (s.choices().isEmpty() ? "" : " " + s.choices()) + ") " + s.description());
                    }
                }
            }
        }
        return 0;
    }
}
