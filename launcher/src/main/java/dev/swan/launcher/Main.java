package dev.swan.launcher;

import dev.swan.api.SwanException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Entry point. Exit codes: 0 success, 1 failure (one line naming the file, tensor or key; the stack
 * trace only with {@code --debug}), 2 usage error.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        SwanCommand root = new SwanCommand();
        root.args = args.clone();
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("swan: " + ex.getMessage());
            CommandLine c = ex.getCommandLine();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                err.println("Did you mean: " + String.join(" or ", u.getSuggestions()) + "?");
            }
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return CommandLine.ExitCode.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parse) -> {
            err.println("swan: " + describe(ex));
            if (root.debug()) ex.printStackTrace(err);
            // a bad option value is a usage error, like the ones picocli finds itself
            boolean usage = ex instanceof dev.swan.api.ConfigException ce && "command line".equals(ce.source());
            return usage ? CommandLine.ExitCode.USAGE : CommandLine.ExitCode.SOFTWARE;
        });
        cmd.setExitCodeExceptionMapper(ex -> CommandLine.ExitCode.SOFTWARE);
        try {
            return cmd.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only exceptions to the handler above; errors arrive here
            err.println("swan: " + describe(e));
            if (root.debug()) e.printStackTrace(err);
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    private static String describe(Throwable ex) {
        if (ex instanceof SwanException) return ex.getMessage();
        if (ex instanceof UncheckedIOException && ex.getCause() != null) ex = ex.getCause();
        if (ex instanceof java.nio.file.InvalidPathException ip) {
            return "invalid path '" + ip.getInput().replace("\0", "\\0") + "': " + ip.getReason();
        }
        if (ex instanceof java.nio.file.NoSuchFileException) return ex.getMessage() + ": no such file";
        if (ex instanceof java.nio.file.FileAlreadyExistsException) return ex.getMessage() + ": already exists";
        if (ex instanceof java.nio.file.AccessDeniedException) return ex.getMessage() + ": permission denied";
        if (ex instanceof IOException) return "I/O error: " + ex.getMessage();
        if (ex instanceof OutOfMemoryError) {
            return "out of Java heap (this JVM may use " + dev.swan.launcher.ui.Format.bytes(Runtime.getRuntime().maxMemory())
                    + "): raise it with SWAN_JAVA_OPTS=-Xmx<size>, or lower --threads";
        }
        return "internal error: " + ex + " (run with --debug and report it)";
    }
}
