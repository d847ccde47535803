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
        if (item != null) sb.append(printable(item)).append(": ");
        return sb.append(printable(problem)).toString();
    }

    /** Longest name or problem text shown: a corrupt file can make a "name" of any length. */
    static final int MAX_SHOWN = 400;

    /**
     * Names and text read from a corrupt file may hold control characters or binary: shown as backslash-u
     * escapes and cut at {@link #MAX_SHOWN} characters, so the error stays one readable line.
     */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_SHOWN + 16));
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= MAX_SHOWN) return sb.append("... (").append(s.length()).append(" characters)").toString();
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD' || Character.getType(c) == Character.UNASSIGNED
                    || loneSurrogate(s, i)) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean loneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }
}
