package dev.swan.toolkit.io;

import dev.swan.api.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opening what a user or a file names, before trusting it: only regular files (a FIFO or a device in
 * place of a file would block or never end), of a bounded size, and text that is UTF-8. Every refusal
 * names the file.
 */
public final class InputFiles {
    /** Largest JSON or text side file read whole (tokenizer.json of big vocabularies is tens of MB). */
    public static final long MAX_TEXT_BYTES = 512L << 20;

    private InputFiles() {
    }

    /** Refuses a path that exists but is no regular file (FIFO, socket, device, folder). */
    public static void requireRegular(Path file) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new ModelFormatException(file, null, Files.isDirectory(file) ? "is a folder, not a file"
                    : "is not a regular file (a FIFO, socket or device): give a file");
        }
    }

    /** The whole file as UTF-8 text, at most {@code maxBytes} long; refused in one line otherwise. */
    public static String readText(Path file, long maxBytes) throws NoSuchFileException {
        byte[] b;
        try {
            b = readBytes(file, maxBytes);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(file, null, "cannot read: " + e.getMessage(), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (MalformedInputException e) {
            throw new ModelFormatException(file, null, "not UTF-8 text (a malformed byte sequence)");
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file, null, "not UTF-8 text");
        }
    }

    /** The whole file as bytes, at most {@code maxBytes}; regular files only. */
    public static byte[] readBytes(Path file, long maxBytes) throws IOException {
        requireRegular(file);
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new ModelFormatException(file, null, size + " bytes, more than the " + maxBytes
                    + " this kind of file may have: not the file it should be");
        }
        return Files.readAllBytes(file);
    }
}
