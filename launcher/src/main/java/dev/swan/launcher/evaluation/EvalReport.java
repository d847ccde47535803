package dev.swan.launcher.evaluation;

import dev.swan.eval.Perplexity;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table a model card leads with (size, bits per weight, perplexity, KL divergence, top-1), and its JSON. */
public final class EvalReport {
    private EvalReport() {
    }

    public static void print(List<Perplexity.Result> results, int ctx, PrintStream out) {
        Perplexity.Result base = results.stream().filter(Perplexity.Result::isBase).findFirst().orElse(null);
        Table t = base == null ? new Table("MODEL", "BYTES>", "BITS/W>", "PPL>", "±>")
                : new Table("MODEL", "BYTES>", "BITS/W>", "PPL>", "±>", "ΔPPL>", "KLD>", "KLD P99>", "KLD MAX>", "TOP-1>");
        for (Perplexity.Result r : results) {
            long bytes = r.model().model().fileBytes();
            List<Object> row = new ArrayList<>(List.of(r.label() + (r.isBase() ? " (base)" : ""), Format.count(bytes),
                    Format.fixed(bitsPerWeight(r), 3), Format.fixed(r.ppl(), 4), Format.fixed(r.pplError(), 4)));
            if (base != null) {
                if (r.isBase()) {
                    row.addAll(List.of("-", "-", "-", "-", "-"));
                } else {
                    row.add(String.format(Locale.ROOT, "%+.4f", r.ppl() - base.ppl()));
                    row.add(String.format(Locale.ROOT, "%.5f", r.klMean()));
                    row.add(String.format(Locale.ROOT, "%.4f", r.klP99()));
                    row.add(String.format(Locale.ROOT, "%.3f", r.klMax()));
                    row.add(Format.fixed(100 * r.top1(), 1) + "%");
                }
            }
            t.row(row.toArray());
        }
        t.print(out);
        Perplexity.Result any = results.get(0);
        out.println("llama-perplexity protocol: " + any.chunks() + " chunks of " + ctx + " tokens, " + any.scored()
                + " positions scored" + (base == null ? "" : "; KL divergence KL(base ‖ model) over the whole vocabulary"));
    }

    public static double bitsPerWeight(Perplexity.Result r) {
        return r.model().model().fileBytes() * 8.0 / Math.max(1, r.model().parameters());
    }

    /** The results as plain maps, for {@code --json} and result files. */
    public static Map<String, Object> json(List<Perplexity.Result> results, int ctx, String text) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("protocol", "llama-perplexity");
        root.put("text", text);
        root.put("ctx", ctx);
        root.put("chunks", results.get(0).chunks());
        root.put("scored", results.get(0).scored());
        Perplexity.Result base = results.stream().filter(Perplexity.Result::isBase).findFirst().orElse(null);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Perplexity.Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.label());
            m.put("base", r.isBase());
            m.put("bytes", r.model().model().fileBytes());
            m.put("parameters", r.model().parameters());
            m.put("bits_per_weight", bitsPerWeight(r));
            m.put("ppl", r.ppl());
            m.put("ppl_error", r.pplError());
            if (base != null && !r.isBase()) {
                m.put("delta_ppl", r.ppl() - base.ppl());
                m.put("kld_mean", r.klMean());
                m.put("kld_p99", r.klP99());
                m.put("kld_max", r.klMax());
                m.put("top1", r.top1());
            }
            rows.add(m);
        }
        root.put("models", rows);
        return root;
    }
}
