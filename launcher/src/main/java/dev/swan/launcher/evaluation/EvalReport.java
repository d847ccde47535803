package dev.swan.launcher.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
        return dev.swan.launcher.pipeline.BitsPerWeight.of(r.model().model().fileBytes(), r.model().parameters());
    }

    /** The results as plain maps, for {@code --json} and result files. */
    /** The {@code --json} document of an evaluation (llama-perplexity's protocol), one row per model. */
    record EvalJson(String protocol, String text, int ctx, int chunks, long scored, List<ModelJson> models) {
    }

    /** A model's row; the comparison with the base model only where there is one and this is not it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelJson(String model, boolean base, long bytes, long parameters,
                     @JsonProperty("bits_per_weight") double bitsPerWeight, double ppl,
                     @JsonProperty("ppl_error") double pplError, @JsonProperty("delta_ppl") Double deltaPpl,
                     @JsonProperty("kld_mean") Double kldMean, @JsonProperty("kld_p99") Double kldP99,
                     @JsonProperty("kld_max") Double kldMax, Double top1) {
    }

    /** The evaluation as JSON values (the HTML report reads them back by these names). */
    public static Map<String, Object> json(List<Perplexity.Result> results, int ctx, String text) {
        Perplexity.Result base = results.stream().filter(Perplexity.Result::isBase).findFirst().orElse(null);
        List<ModelJson> rows = new ArrayList<>();
        for (Perplexity.Result r : results) {
            boolean compared = base != null && !r.isBase();
            rows.add(new ModelJson(r.label(), r.isBase(), r.model().model().fileBytes(), r.model().parameters(),
                    bitsPerWeight(r), r.ppl(), r.pplError(), compared ? r.ppl() - base.ppl() : null,
                    compared ? r.klMean() : null, compared ? r.klP99() : null, compared ? r.klMax() : null,
                    compared ? r.top1() : null));
        }
        EvalJson doc = new EvalJson("llama-perplexity", text, ctx, results.get(0).chunks(), results.get(0).scored(), rows);
        return dev.swan.launcher.pipeline.Json.MAPPER.convertValue(doc, dev.swan.launcher.pipeline.Json.MAP);
    }
}
