package dev.swan.eval.tasks;

import dev.swan.eval.EvalException;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * WikiText's documents as lm-evaluation-harness' {@code wikitext} task reads them: the pages of
 * EleutherAI/wikitext_document_level (JSON Lines, field {@code page}) or a plain text file as one page; each
 * page detokenized by {@code wikitext_detokenizer} (" @-@ " to "-", spaces before punctuation and inside
 * brackets and quotes removed, "= = =" headings closed up, …) before scoring, while its words and bytes are
 * counted on the page as stored.
 */
public final class Wikitext {
    private static final int U = Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern SLASH_QUOTE = Pattern.compile("/' [0-9]/");
    private static final Pattern PARENS = Pattern.compile("\\(\\s*([^\\)]*?)\\s*\\)", U);
    private static final Pattern BRACKETS = Pattern.compile("\\[\\s*([^\\]]*?)\\s*\\]", U);
    private static final Pattern BRACES = Pattern.compile("\\{\\s*([^}]*?)\\s*}", U);
    private static final Pattern DOUBLE_QUOTES = Pattern.compile("\"\\s*([^\"]*?)\\s*\"", U);
    private static final Pattern SINGLE_QUOTES = Pattern.compile("'\\s*([^']*?)\\s*'", U);
    /** Python's \s on str: Unicode white space and the separators U+001C..U+001F. */
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\x1c-\\x1f]+", U);

    private Wikitext() {
    }

    /** The pages of a file: JSON Lines or Parquet with a {@code page} field, or any other text file as one page. */
    public static List<String> pages(Path file) throws IOException {
        if (ParquetRows.isParquet(file)) {
            List<String> out = new ArrayList<>();
            List<Map<String, Object>> rows = ParquetRows.read(file);
            for (int i = 0; i < rows.size(); i++) {
                if (!(rows.get(i).get("page") instanceof String page)) {
                    throw new EvalException(file + ": row " + (i + 1) + ": the record has no text field 'page' "
                            + "(EleutherAI/wikitext_document_level's layout)");
                }
                out.add(page);
            }
            if (out.isEmpty()) throw new EvalException(file + ": no pages");
            return out;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new EvalException(file + ": neither UTF-8 text nor a Parquet file");
        }
        if (!file.getFileName().toString().endsWith(".jsonl")) {
            if (text.isBlank()) throw new EvalException(file + ": empty text");
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            Map<String, Object> doc;
            try {
                doc = Json.parseObject(line);
            } catch (JsonParseException | ClassCastException e) {
                throw new EvalException(file + ":" + (i + 1) + ": not a JSON object per line (JSON Lines): " + e.getMessage());
            }
            if (!(doc.get("page") instanceof String page)) {
                throw new EvalException(file + ":" + (i + 1) + ": the record has no text field 'page' "
                        + "(EleutherAI/wikitext_document_level's layout)");
            }
            out.add(page);
        }
        if (out.isEmpty()) throw new EvalException(file + ": no pages");
        return out;
    }

    /** lm-evaluation-harness' wikitext_detokenizer, replacement for replacement. */
    public static String detokenize(String page) {
        String s = page.replace("s '", "s'");
        s = SLASH_QUOTE.matcher(s).replaceAll("/'[0-9]/");
        s = s.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".");
        s = s.replace(" : ", ": ").replace(" ; ", "; ").replace(" . ", ". ").replace(" ! ", "! ").replace(" ? ", "? ")
                .replace(" , ", ", ");
        s = PARENS.matcher(s).replaceAll("($1)");
        s = BRACKETS.matcher(s).replaceAll("[$1]");
        s = BRACES.matcher(s).replaceAll("{$1}");
        s = DOUBLE_QUOTES.matcher(s).replaceAll("\"$1\"");
        s = SINGLE_QUOTES.matcher(s).replaceAll("'$1'");
        s = s.replace("= = = =", "====").replace("= = =", "===").replace("= =", "==");
        s = s.replace(" \u00b0 ", "\u00b0").replace(" \n", "\n").replace("\n ", "\n").replace(" N ", " 1 ").replace(" 's", "'s");
        return s;
    }

    /** Words as the task counts them: Python's {@code len(re.split(r"\s+", page))} on the stored page. */
    public static long words(String page) {
        return WHITESPACE.split(page, -1).length;
    }

    public static long bytes(String page) {
        return page.getBytes(StandardCharsets.UTF_8).length;
    }
}
