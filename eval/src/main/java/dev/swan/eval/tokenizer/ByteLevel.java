package dev.swan.eval.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.Optional;

/**
 * GPT-2's byte-level alphabet (each byte as a printable character) and the pre-tokenizer regexes of the
 * byte-level vocabularies llama.cpp knows by name.
 */
final class ByteLevel {
    private ByteLevel() {
    }

    /** GPT-2's reversible byte-to-unicode map: printable Latin-1 bytes map to themselves, the rest to 256+. */
    static int toUnicode(int b) {
        if (printable(b)) return b;
        int n = 0;
        for (int x = 0; x < b; x++) if (!printable(x)) n++;
        return 256 + n;
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The byte each stand-in character means (the inverse of {@link #toUnicode}), -1 for other characters. */
    private static final int[] BYTE_OF = inverse();

    private static int[] inverse() {
        int[] inv = new int[512];
        java.util.Arrays.fill(inv, -1);
        for (int b = 0; b < 256; b++) inv[toUnicode(b)] = b;
        return inv;
    }

    /** Text back from byte-level symbols. */
    static String decode(String symbols) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (char c : symbols.toCharArray()) {
            int b = c < BYTE_OF.length ? BYTE_OF[c] : -1;
            if (b >= 0) out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** GPT-2's own split, which the ByteLevel pre-tokenizer applies when {@code use_regex} is true. */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The split regex of a llama.cpp pre-tokenizer name ({@code tokenizer.ggml.pre}). */
    static Optional<String> regexForPre(String pre) {
        switch (pre.toLowerCase(Locale.ROOT)) {
            case "qwen2": case "deepseek-r1-qwen": case "megrez": return Optional.of(QWEN2);
            case "llama3": case "llama-v3": case "llama-bpe": case "falcon3": return Optional.of(LLAMA3);
            case "gpt-2": case "gpt2": case "default": return Optional.of(GPT2);
            default: return Optional.empty();
        }
    }

    /**
     * Splits text at every regex match, keeping the gaps between matches as pieces too (the "Isolated"
     * behaviour). Java needs UNICODE_CHARACTER_CLASS so that {@code \s} means Unicode whitespace, as in
     * Oniguruma and llama.cpp's own engine.
     */
    static List<String> split(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) out.add(text.substring(last, m.start()));
            if (m.end() > m.start()) out.add(m.group());
            last = m.end();
        }
        if (last < text.length()) out.add(text.substring(last));
        return out;
    }

    static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }
}
