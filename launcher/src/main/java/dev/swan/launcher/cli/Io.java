package dev.swan.launcher.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/** The streams picocli was given, as PrintStreams (so tests capture everything a command prints). */
final class Io {
    private Io() {
    }

    static PrintStream out(CommandSpec spec) {
        return wrap(spec.commandLine().getOut());
    }

    static PrintStream err(CommandSpec spec) {
        return wrap(spec.commandLine().getErr());
    }

    private static PrintStream wrap(PrintWriter w) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                w.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                w.write(new String(b, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                w.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
