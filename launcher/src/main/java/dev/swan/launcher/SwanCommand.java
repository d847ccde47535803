package dev.swan.launcher;

import dev.swan.launcher.cli.AllocateCommand;
import dev.swan.launcher.cli.AnalyzeCommand;
import dev.swan.launcher.cli.BenchCommand;
import dev.swan.launcher.cli.CardCommand;
import dev.swan.launcher.cli.ConfigCommand;
import dev.swan.launcher.cli.DemoCommand;
import dev.swan.launcher.cli.EvalCommand;
import dev.swan.launcher.cli.GenerateCommand;
import dev.swan.launcher.cli.InspectCommand;
import dev.swan.launcher.cli.PlanCommand;
import dev.swan.launcher.cli.PluginsCommand;
import dev.swan.launcher.cli.QuantizeCommand;
import dev.swan.launcher.cli.ReportCommand;
import dev.swan.launcher.cli.RunCommand;
import dev.swan.launcher.cli.VerifyCommand;
import dev.swan.launcher.plugins.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code swan} command: global options shared by every subcommand. */
@Command(name = "swan", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Data-free mixed-precision quantization of LLMs (SWAN): measures how sensitive each weight "
                + "tensor is, gives each its own precision (2 to 8 bits, or float), and writes MLX directories or GGUF files.", ""},
        subcommands = {InspectCommand.class, AnalyzeCommand.class, AllocateCommand.class, PlanCommand.class, QuantizeCommand.class,
                VerifyCommand.class, EvalCommand.class, GenerateCommand.class, CardCommand.class, ReportCommand.class, RunCommand.class, ConfigCommand.class, PluginsCommand.class, DemoCommand.class,
                BenchCommand.class},
        footer = {"", "Exit status: 0 success, 1 failure (one-line message; --debug for the stack trace), 2 usage error.",
                "Environment: SWAN_JAVA_OPTS adds JVM flags (e.g. -Xmx16g); JAVA_HOME selects the Java runtime."})
public final class SwanCommand implements Runnable {

    @Option(names = "--plugins", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Extra plugin folder (repeatable). Always searched: <swan>/plugins and ~/.swan/plugins.")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--osgi", scope = ScopeType.INHERIT,
            description = "Start plugin jars that are OSGi bundles in an embedded Apache Felix (plain jars still load "
                    + "in their own class loaders). Also on when the environment has SWAN_OSGI=true.")
    boolean osgi;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "No progress display.")
    boolean quiet;

    /** The arguments of this invocation, for provenance lines in outputs. */
    String[] args = new String[0];

    public String commandLine() {
        return "swan " + String.join(" ", args);
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "missing command: try 'swan --help'");
    }

    public boolean debug() {
        return debug;
    }

    public boolean quiet() {
        return quiet;
    }

    /** Plugin folders in search order: distribution, user, then --plugins. */
    public List<Path> pluginFolders() {
        List<Path> dirs = new ArrayList<>();
        String home = System.getProperty("swan.home");
        if (home != null) dirs.add(Path.of(home, "plugins"));
        String user = System.getProperty("swan.userPlugins", System.getProperty("user.home") + "/.swan/plugins");
        if (!user.isEmpty()) dirs.add(Path.of(user));
        dirs.addAll(pluginDirs);
        return dirs;
    }

    /** Loads every plugin this invocation can see. */
    public PluginRegistry plugins() {
        return plugins(List.of());
    }

    /** Loads plugins, with extra folders (e.g. from a pipeline file). */
    public PluginRegistry plugins(List<Path> extraFolders) {
        for (Path p : pluginDirs) {
            // a mistyped folder would otherwise surface later as "unknown metric" or "unknown format"
            if (!java.nio.file.Files.isDirectory(p)) {
                throw new dev.swan.api.ConfigException("command line", 0, 0, "--plugins " + p
                        + (java.nio.file.Files.exists(p) ? ": not a folder" : ": no such folder")
                        + " (give the folder that holds the plugin jars)");
            }
        }
        List<Path> folders = pluginFolders();
        for (Path p : extraFolders) if (!folders.contains(p)) folders.add(p);
        boolean useOsgi = osgi || "true".equalsIgnoreCase(System.getenv("SWAN_OSGI"));
        return PluginRegistry.load(new PluginRegistry.Sources(true, folders, useOsgi));
    }
}
