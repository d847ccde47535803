package dev.swan.api;

/** A pipeline configuration (YAML file, plugin parameters, command-line options) that is not valid. */
public final class ConfigException extends SwanException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;
    private final int column;
    private final String problem;

    /**
     * @param source the file (or "command line", or a plugin id) the setting came from, or null
     * @param line 1-based line, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     */
    public ConfigException(String source, int line, int column, String problem) {
        super(format(source, line, column, problem), null);
        this.source = source;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    public ConfigException(String problem) {
        this(null, 0, 0, problem);
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without its source, line and column. */
    public String problem() {
        return problem;
    }

    private static String format(String source, int line, int column, String problem) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source);
            if (line > 0) sb.append(':').append(line);
            if (column > 0) sb.append(':').append(column);
            sb.append(": ");
        }
        return sb.append(problem).toString();
    }
}
