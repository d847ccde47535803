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
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a task's questions from a JSON Lines file in its dataset's own layout, the way lm-evaluation-harness
 * turns each record into a question:
 * <ul>
 * <li>{@code arc_challenge}, {@code arc_easy} (allenai/ai2_arc: {@code question}, {@code choices.text},
 * {@code choices.label}, {@code answerKey}; AI2's original layout with {@code question.stem} too): "Question:
 * …\nAnswer:", the choices' texts, the answer key's index;</li>
 * <li>{@code hellaswag} (Rowan/hellaswag: {@code activity_label}, {@code ctx_a}, {@code ctx_b},
 * {@code endings}, {@code label}): activity label + ": " + ctx_a + " " + capitalised ctx_b, bracketed
 * fragments removed ("[title]" becomes ". "), the endings likewise;</li>
 * <li>{@code multiple_choice}, a layout any user can write: {@code query} (or {@code question}), {@code
 * choices}, and {@code gold} (an index) or {@code answer} (an index or the right choice's text).</li>
 * </ul>
 * A record that lacks a field, or whose answer is not among its choices, is refused in one line naming the
 * file, the line and the field.
 */
public final class TaskFile {
    /** The tasks this reader knows. */
    public static final List<String> TASKS = List.of("arc_challenge", "arc_easy", "hellaswag", "multiple_choice");

    private static final Pattern BRACKETS = Pattern.compile("\\[.*?\\]");

    private TaskFile() {
    }

    public static List<Question> read(String task, Path file) throws IOException {
        if (!TASKS.contains(task)) {
            throw new EvalException("unknown task '" + task + "': swan eval knows " + String.join(", ", TASKS));
        }
        List<Question> out = new ArrayList<>();
        if (ParquetRows.isParquet(file)) {
            List<Map<String, Object>> rows = ParquetRows.read(file);
            for (int i = 0; i < rows.size(); i++) out.add(question(task, rows.get(i), file + ": row " + (i + 1)));
            if (out.isEmpty()) throw new EvalException(file + ": no questions (the Parquet file has no rows)");
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new EvalException(file + ": neither UTF-8 text (JSON Lines) nor a Parquet file");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            Map<String, Object> doc;
            try {
                doc = Json.parseObject(line);
            } catch (JsonParseException | ClassCastException e) {
                throw new EvalException(where + ": not a JSON object per line (JSON Lines): " + e.getMessage());
            }
            out.add(question(task, doc, where));
        }
        if (out.isEmpty()) throw new EvalException(file + ": no questions (one JSON object per line expected)");
        return out;
    }

    private static Question question(String task, Map<String, Object> doc, String where) {
        return switch (task) {
            case "hellaswag" -> hellaswag(doc, where);
            case "multiple_choice" -> generic(doc, where);
            default -> arc(doc, where);
        };
    }

    static Question arc(Map<String, Object> doc, String where) {
        Object q = field(doc, "question", where);
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String stem;
        if (q instanceof Map<?, ?> original) {
            // AI2's own files: question.stem, question.choices[{text, label}]
            stem = string(original.get("stem"), "question.stem", where);
            for (Object c : list(original.get("choices"), "question.choices", where)) {
                if (!(c instanceof Map<?, ?> m)) throw missing("question.choices[].text", where);
                texts.add(string(m.get("text"), "question.choices[].text", where));
                labels.add(string(m.get("label"), "question.choices[].label", where));
            }
        } else {
            stem = string(q, "question", where);
            Object choices = field(doc, "choices", where);
            if (!(choices instanceof Map<?, ?> m)) throw missing("choices.text", where);
            for (Object t : list(m.get("text"), "choices.text", where)) texts.add(string(t, "choices.text[]", where));
            for (Object l : list(m.get("label"), "choices.label", where)) labels.add(string(l, "choices.label[]", where));
        }
        if (texts.size() != labels.size() || texts.isEmpty()) {
            throw new EvalException(where + ": " + texts.size() + " choice texts but " + labels.size() + " labels");
        }
        String key = string(field(doc, "answerKey", where), "answerKey", where);
        int gold = labels.indexOf(key);
        if (gold < 0) throw new EvalException(where + ": answerKey '" + key + "' is not among the choices' labels " + labels);
        return new Question("Question: " + stem + "\nAnswer:", texts, gold, where);
    }

    static Question hellaswag(Map<String, Object> doc, String where) {
        String label = string(field(doc, "activity_label", where), "activity_label", where);
        String ctxA = string(field(doc, "ctx_a", where), "ctx_a", where);
        String ctxB = string(field(doc, "ctx_b", where), "ctx_b", where);
        List<String> endings = new ArrayList<>();
        for (Object e : list(field(doc, "endings", where), "endings", where)) endings.add(preprocess(string(e, "endings[]", where)));
        int gold = index(field(doc, "label", where), "label", endings.size(), where);
        return new Question(preprocess(label + ": " + ctxA + " " + capitalize(ctxB)), endings, gold, where);
    }

    static Question generic(Map<String, Object> doc, String where) {
        Object q = doc.containsKey("query") ? doc.get("query") : doc.get("question");
        if (q == null) throw missing("query", where);
        List<String> choices = new ArrayList<>();
        for (Object c : list(field(doc, "choices", where), "choices", where)) choices.add(string(c, "choices[]", where));
        if (choices.isEmpty()) throw new EvalException(where + ": 'choices' is empty");
        int gold;
        if (doc.containsKey("gold")) {
            gold = index(doc.get("gold"), "gold", choices.size(), where);
        } else {
            Object a = field(doc, "answer", where);
            if (a instanceof String s && !s.matches("\\d+")) {
                gold = choices.indexOf(s);
                if (gold < 0) throw new EvalException(where + ": answer " + EvalException.quoted(s) + " is not among the choices");
            } else {
                gold = index(a, "answer", choices.size(), where);
            }
        }
        return new Question(string(q, "query", where), choices, gold, where);
    }

    /** lm-evaluation-harness' hellaswag preprocess: strip, " [title]" to ". ", bracketed text removed, double spaces single. */
    static String preprocess(String text) {
        String t = text.strip().replace(" [title]", ". ");
        t = BRACKETS.matcher(t).replaceAll("");
        return t.replace("  ", " ");
    }

    /** Python's str.capitalize: the first character upper case, the rest lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int first = s.offsetByCodePoints(0, 1);
        return s.substring(0, first).toUpperCase(Locale.ROOT) + s.substring(first).toLowerCase(Locale.ROOT);
    }

    private static Object field(Map<String, Object> doc, String name, String where) {
        Object v = doc.get(name);
        if (v == null) throw missing(name, where);
        return v;
    }

    private static EvalException missing(String name, String where) {
        return new EvalException(where + ": the record has no '" + name + "' (the dataset's own field names are expected)");
    }

    private static String string(Object v, String name, String where) {
        if (v == null) throw missing(name, where);
        if (!(v instanceof String s)) throw new EvalException(where + ": '" + name + "' should be text, got " + v);
        return s;
    }

    private static List<?> list(Object v, String name, String where) {
        if (v == null) throw missing(name, where);
        if (!(v instanceof List<?> l)) throw new EvalException(where + ": '" + name + "' should be a list, got " + v);
        return l;
    }

    private static int index(Object v, String name, int choices, String where) {
        long i;
        if (v instanceof Number n) i = n.longValue();
        else if (v instanceof String s && s.strip().matches("\\d+")) i = Long.parseLong(s.strip());
        else throw new EvalException(where + ": '" + name + "' should be the right choice's index, got " + v);
        if (i < 0 || i >= choices) {
            throw new EvalException(where + ": '" + name + "' is " + i + " but there are " + choices + " choices (0.."
                    + (choices - 1) + ")");
        }
        return (int) i;
    }
}
