package dev.swan.eval;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads the evaluation inputs: a UTF-8 text, or a file of token ids. */
public final class EvalInputs {
    /** Larger inputs are refused: they are texts or id lists, never gigabytes. */
    static final long MAX_BYTES = 256L << 20;

    private EvalInputs() {
    }

    /** The file as text; refuses bytes that are not UTF-8, naming the offset. */
    public static String text(Path file) throws IOException {
        byte[] b = read(file);
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            int at = firstInvalid(b);
            throw new EvalException(file + ": not UTF-8 text (byte " + at + " is 0x"
                    + String.format("%02X", b[Math.min(at, b.length - 1)] & 0xff) + "): give a UTF-8 text or --ids");
        }
    }

    /** Token ids as a JSON list ({@code [1, 2, 3]}) or separated by whitespace or commas. */
    public static int[] ids(Path file) throws IOException {
        String s = new String(read(file), StandardCharsets.ISO_8859_1).strip();
        if (s.startsWith("[")) {
            if (!s.endsWith("]")) throw new EvalException(file + ": a JSON list of ids must end with ']'");
            s = s.substring(1, s.length() - 1);
        }
        String[] parts = s.split("[\\s,]+");
        int[] ids = new int[parts.length];
        int n = 0;
        for (String p : parts) {
            if (p.isEmpty()) continue;
            try {
                ids[n] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new EvalException(file + ": '" + (p.length() > 20 ? p.substring(0, 20) + "..." : p)
                        + "' at position " + n + " is not a token id (expected integers)");
            }
            if (ids[n] < 0) throw new EvalException(file + ": token id " + ids[n] + " at position " + n + " is negative");
            n++;
        }
        if (n == 0) throw new EvalException(file + ": holds no token ids");
        return Arrays.copyOf(ids, n);
    }

    private static byte[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new EvalException(file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new EvalException(file + ": " + Files.size(file) + " bytes is more than an evaluation text needs (limit "
                    + (MAX_BYTES >> 20) + " MiB)");
        }
        return dev.swan.toolkit.io.InputFiles.readBytes(file, Long.MAX_VALUE);
    }

    private static int firstInvalid(byte[] b) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        int lo = 0, hi = b.length;
        while (hi - lo > 1) { // the longest valid prefix
            int mid = (lo + hi) >>> 1;
            try {
                d.reset().decode(ByteBuffer.wrap(b, 0, mid));
                lo = mid;
            } catch (CharacterCodingException e) {
                hi = mid;
            }
        }
        // a prefix may end inside a valid multi-byte character: step back to its lead byte
        while (lo > 0 && (b[lo] & 0xC0) == 0x80) lo--;
        return lo;
    }
}
