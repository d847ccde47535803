package dev.swan.eval.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's strftime for the directives chat templates print dates with (Llama 3's "%d %b %Y"). */
final class Strftime {
    private Strftime() {
    }

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                b.append(c);
                continue;
            }
            char d = pattern.charAt(++i);
            boolean noPad = d == '-' && i + 1 < pattern.length();
            if (noPad) d = pattern.charAt(++i);
            switch (d) {
                case 'd' -> b.append(pad(t.getDayOfMonth(), 2, noPad));
                case 'm' -> b.append(pad(t.getMonthValue(), 2, noPad));
                case 'Y' -> b.append(t.getYear());
                case 'y' -> b.append(pad(t.getYear() % 100, 2, noPad));
                case 'H' -> b.append(pad(t.getHour(), 2, noPad));
                case 'I' -> b.append(pad((t.getHour() + 11) % 12 + 1, 2, noPad));
                case 'M' -> b.append(pad(t.getMinute(), 2, noPad));
                case 'S' -> b.append(pad(t.getSecond(), 2, noPad));
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> b.append(pad(t.getDayOfYear(), 3, noPad));
                case 'b' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case '%' -> b.append('%');
                default -> b.append('%').append(noPad ? "-" : "").append(d);
            }
        }
        return b.toString();
    }

    private static String pad(int v, int width, boolean noPad) {
        String s = Integer.toString(v);
        return noPad ? s : "0".repeat(Math.max(0, width - s.length())) + s;
    }
}
