package dev.swan.launcher.ui;

import java.util.Locale;

/** Human-readable numbers for reports. */
public final class Format {
    private Format() {
    }

    /** 1,234,567 */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes in binary units: 512 B, 3.4 KiB, 1.25 GiB. */
    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    }

    public static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Seconds as 4.2 s, 3m05s, 1h02m. */
    public static String duration(double seconds) {
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** Parses sizes like 6.1GB, 4.5G, 512MiB, 1e9 into bytes (G and GB = 10^9, GiB = 2^30; T, M, K alike). */
    public static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace(" ", "");
        long mult = 1;
        String[][] units = {{"TIB", "1099511627776"}, {"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"},
                {"TB", "1000000000000"}, {"GB", "1000000000"}, {"MB", "1000000"}, {"KB", "1000"},
                {"T", "1000000000000"}, {"G", "1000000000"}, {"M", "1000000"}, {"K", "1000"}, {"B", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        double v = Double.parseDouble(t);
        if (!(v > 0)) throw new NumberFormatException("size must be positive: " + s);
        return Math.round(v * mult);
    }
}
