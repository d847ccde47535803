package dev.swan.launcher.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.swan.eval.tasks.MultipleChoice;
import dev.swan.eval.tasks.Rolling;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Multiple-choice results as lm-evaluation-harness prints them (accuracy ± standard error), and their JSON. */
public final class TaskReport {
    /** One model's result on one multiple-choice task. */
    public record Row(String model, boolean base, MultipleChoice.Result result) {
    }

    /** One model's rolling log-likelihood of a corpus (wikitext). */
    public record RollingRow(String model, boolean base, Rolling.Result result) {
    }

    /** A row of the {@code corpora} list of {@code --json}. */
    record RollingJson(String task, String model, boolean base, int documents, int ctx, long tokens, long words, long bytes,
                       double loglikelihood, @JsonProperty("word_perplexity") double wordPerplexity,
                       @JsonProperty("byte_perplexity") double bytePerplexity, @JsonProperty("bits_per_byte") double bitsPerByte,
                       @JsonProperty("token_perplexity") double tokenPerplexity) {
    }

    public static void printRolling(List<RollingRow> rows, PrintStream out) {
        Table t = new Table("TASK", "DOCS>", "MODEL", "WORD PPL>", "BYTE PPL>", "BITS/BYTE>", "TOKEN PPL>");
        for (RollingRow r : rows) {
            Rolling.Result m = r.result();
            t.row(m.task(), Format.count(m.documents()), r.model() + (r.base() ? " (base)" : ""), Format.fixed(m.wordPerplexity(), 4),
                    Format.fixed(m.bytePerplexity(), 4), Format.fixed(m.bitsPerByte(), 4), Format.fixed(m.tokenPerplexity(), 4));
        }
        t.print(out);
        Rolling.Result any = rows.get(0).result();
        out.println("lm-evaluation-harness protocol (loglikelihood_rolling): whole documents in windows of " + any.ctx()
                + " tokens, the first after BOS; word and byte counts of the stored text");
    }

    public static List<Object> rollingJson(List<RollingRow> rows) {
        List<Object> out = new ArrayList<>();
        for (RollingRow r : rows) {
            Rolling.Result m = r.result();
            out.add(dev.swan.launcher.pipeline.Json.MAPPER.convertValue(new RollingJson(m.task(), r.model(), r.base(), m.documents(),
                    m.ctx(), m.tokens(), m.words(), m.bytes(), m.loglikelihood(), m.wordPerplexity(), m.bytePerplexity(),
                    m.bitsPerByte(), m.tokenPerplexity()), dev.swan.launcher.pipeline.Json.MAP));
        }
        return out;
    }

    /** A row of the {@code tasks} list of {@code --json}. */
    record TaskJson(String task, String model, boolean base, int shots, int questions, double acc,
                    @JsonProperty("acc_stderr") double accStderr, @JsonProperty("acc_norm") double accNorm,
                    @JsonProperty("acc_norm_stderr") double accNormStderr) {
    }

    private TaskReport() {
    }

    public static void print(List<Row> rows, PrintStream out) {
        Table t = new Table("TASK", "SHOTS>", "QUESTIONS>", "MODEL", "ACC>", "ACC_NORM>");
        for (Row r : rows) {
            MultipleChoice.Result m = r.result();
            t.row(m.task(), Integer.toString(m.shots()), Format.count(m.questions()), r.model() + (r.base() ? " (base)" : ""),
                    pm(m.acc(), m.accStderr()), pm(m.accNorm(), m.accNormStderr()));
        }
        t.print(out);
        out.println("lm-evaluation-harness protocol: each choice's summed log-likelihood of \" \" + choice after the "
                + "context; acc_norm divides by the choice's length in characters; ± standard error");
    }

    private static String pm(double v, double se) {
        return String.format(Locale.ROOT, "%.4f ± %s", v, Double.isNaN(se) ? "-" : String.format(Locale.ROOT, "%.4f", se));
    }

    public static List<Object> json(List<Row> rows) {
        List<Object> out = new ArrayList<>();
        for (Row r : rows) {
            MultipleChoice.Result m = r.result();
            out.add(dev.swan.launcher.pipeline.Json.MAPPER.convertValue(new TaskJson(m.task(), r.model(), r.base(), m.shots(),
                    m.questions(), m.acc(), m.accStderr(), m.accNorm(), m.accNormStderr()), dev.swan.launcher.pipeline.Json.MAP));
        }
        return out;
    }
}
