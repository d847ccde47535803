package dev.swan.launcher.ui;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: left-aligned text columns, right-aligned numeric ones, widths fitted to content. */
public final class Table {
    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers ending in '>' are right-aligned (the marker is not printed). */
    public Table(String... headers) {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].endsWith(">");
            this.headers[i] = rightAligned[i] ? headers[i].substring(0, headers[i].length() - 1) : headers[i];
        }
    }

    public Table row(Object... cells) {
        String[] r = new String[headers.length];
        for (int i = 0; i < r.length; i++) r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        rows.add(r);
        return this;
    }

    public void print(PrintStream out) {
        int[] w = new int[headers.length];
        for (int i = 0; i < w.length; i++) w[i] = headers[i].length();
        for (String[] r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r[i].length());
        out.println(line(headers, w));
        for (String[] r : rows) out.println(line(r, w));
    }

    private String line(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append("  ");
            String c = cells[i];
            int pad = w[i] - c.length();
            if (rightAligned[i]) sb.append(" ".repeat(pad)).append(c);
            else if (i < cells.length - 1) sb.append(c).append(" ".repeat(pad));
            else sb.append(c);
        }
        return sb.toString();
    }
}
