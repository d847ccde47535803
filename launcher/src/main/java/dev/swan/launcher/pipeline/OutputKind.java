package dev.swan.launcher.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.swan.api.OutputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What an output is, so that {@code --force} replaces only an earlier output of the same kind: a model
 * written in a format (which the format {@link OutputFormat#recognizes}), a manifest, an HTML report, an
 * evaluation's results. An empty folder may always be replaced; anything else is the user's and is refused.
 */
public record OutputKind(String name, Predicate<Path> recognizes) {
    /** An analysis manifest or plan: JSON whose {@code schema} is swan's. */
    public static final OutputKind MANIFEST = new OutputKind("manifest swan wrote",
            p -> firstField(p, "schema", Manifest.SCHEMA));
    /** An HTML page written by {@code swan report}. */
    public static final OutputKind REPORT = new OutputKind("report swan wrote", OutputKind::isSwanReport);
    /** A results file written by {@code swan eval -o}. */
    public static final OutputKind EVAL_RESULTS = new OutputKind("results file swan eval wrote",
            p -> firstField(p, "protocol", null));
    /** The marker every report carries in its head. */
    public static final String REPORT_GENERATOR = "<meta name=\"generator\" content=\"swan\">";

    /** A model output of {@code format}: a file or a folder of plain files that the format recognizes. */
    public static OutputKind of(OutputFormat format) {
        return new OutputKind("model written as " + format.id(), p -> format.recognizes(p) && onlyPlainFiles(p));
    }

    /** Whether {@code existing} may be replaced by an output of this kind: it is one, or an empty folder. */
    public boolean mayReplace(Path existing) {
        if (isEmptyFolder(existing)) return true;
        try {
            return recognizes.test(existing);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean isEmptyFolder(Path p) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** A regular file, or a folder holding only regular files (a folder inside it is not a format's). */
    private static boolean onlyPlainFiles(Path p) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return true;
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.allMatch(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return false;
        }
    }

    /** A JSON object whose first field is {@code field} (with the text {@code value}, when given). */
    private static boolean firstField(Path p, String field, String value) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (JsonParser in = Json.MAPPER.getFactory().createParser(p.toFile())) {
            if (in.nextToken() != JsonToken.START_OBJECT || in.nextToken() != JsonToken.FIELD_NAME
                    || !field.equals(in.currentName())) {
                return false;
            }
            JsonToken v = in.nextToken();
            return value == null || (v == JsonToken.VALUE_STRING && value.equals(in.getText()));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isSwanReport(Path p) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (InputStream in = Files.newInputStream(p)) {
            String head = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            // reports before the generator tag are known by their title
            return head.startsWith("<!DOCTYPE html>") && (head.contains(REPORT_GENERATOR) || head.contains("<title>swan plan: "));
        } catch (IOException e) {
            return false;
        }
    }
}
