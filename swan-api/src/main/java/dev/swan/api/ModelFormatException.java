package dev.swan.api;

import java.nio.file.Path;

/** A model directory, safetensors file, index or config that cannot be read as given. */
public final class ModelFormatException extends SwanException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String item;

    /**
     * @param file the file at fault
     * @param item the tensor or key inside it, or null when the whole file is at fault
     * @param problem what is wrong, ideally followed by how to fix it
     */
    public ModelFormatException(Path file, String item, String problem) {
        this(file, item, problem, null);
    }

    public ModelFormatException(Path file, String item, String problem, Throwable cause) {
        super(format(file, item, problem), cause);
        this.file = file;
        this.item = item;
    }

    public Path file() {
        return file;
    }

    /** The tensor name or key at fault, or null. */
    public String item() {
        return item;
    }

    private static String format(Path file, String item, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file).append(": ");
        if (item != null) sb.append(item).append(": ");
        return sb.append(problem).toString();
    }
}
