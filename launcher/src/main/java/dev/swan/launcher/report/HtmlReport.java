package dev.swan.launcher.report;

import dev.swan.api.MetricResult;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.api.TensorSizer;
import dev.swan.api.model.TensorRole;
import dev.swan.launcher.pipeline.Manifest;
import dev.swan.launcher.ui.Format;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plan as one self-contained HTML page (inline SVG and CSS, a few lines of script, nothing fetched):
 * bits per tensor as a layers × projections heat map, metric scores and composite against depth, bytes
 * by tensor class, and with eval results their table and a quality-versus-size plot of every evaluated
 * model (this plan, uniform baselines, presets) at its size.
 */
public final class HtmlReport {
    /** Projection columns of the heat map, in a decoder layer's order. */
    private static final List<TensorRole> COLUMNS = List.of(TensorRole.ATTN_Q, TensorRole.ATTN_K, TensorRole.ATTN_V,
            TensorRole.ATTN_O, TensorRole.MLP_GATE, TensorRole.MLP_UP, TensorRole.MLP_DOWN, TensorRole.EXPERT_STACK,
            TensorRole.ROUTER);
    private static final String[] SERIES = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"};

    private final Manifest manifest;
    private final TensorSizer sizer;
    private final String format;
    private final Map<String, Object> eval;
    private final String planLabel;

    /**
     * @param sizer     bytes per tensor in {@code format}
     * @param eval      results as {@code swan eval --json} writes them, or null
     * @param planLabel the eval row that is this plan, or null for the one closest to the plan's size
     */
    public HtmlReport(Manifest manifest, TensorSizer sizer, String format, Map<String, Object> eval, String planLabel) {
        this.manifest = manifest;
        this.sizer = sizer;
        this.format = format;
        this.eval = eval;
        this.planLabel = planLabel;
    }

    public String render() {
        StringBuilder h = new StringBuilder(64 * 1024);
        String model = manifest.modelPath() == null ? "model" : java.nio.file.Path.of(manifest.modelPath()).getFileName().toString();
        long total = sizer.fixedBytes();
        long params = 0;
        for (int i = 0; i < manifest.tensors().size(); i++) {
            total += sizer.bytes(manifest.tensors().get(i), manifest.plan().decisions().get(i));
            // the weights the output stores (a tied head's stored copy is not written)
            if (sizer.bytes(manifest.tensors().get(i), 16, 0) > 0) params += manifest.tensors().get(i).params();
        }
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append(dev.swan.launcher.pipeline.OutputKind.REPORT_GENERATOR).append("\n<title>swan plan: ").append(esc(model))
                .append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n");
        h.append("<h1>swan plan: ").append(esc(model)).append("</h1>\n<p class=\"sub\">")
                .append(manifest.tensors().size()).append(" tensors, ").append(Format.count(params)).append(" parameters; ")
                .append(esc(format)).append(" output ").append(Format.bytes(total)).append(" (")
                .append(Format.fixed(dev.swan.launcher.pipeline.BitsPerWeight.of(total, params), 2)).append(" bits/weight); allocator ")
                .append(esc(String.valueOf(manifest.allocator().getOrDefault("id", "?")))).append("; swan ")
                .append(esc(manifest.swanVersion())).append(", ").append(esc(manifest.created())).append("</p>\n");
        heatMap(h);
        depthChart(h);
        sizeBreakdown(h, total);
        evalSection(h, total);
        h.append("<script>\n").append(SCRIPT).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private void heatMap(StringBuilder h) {
        Map<Integer, Map<TensorRole, Integer>> cells = new TreeMap<>();
        Map<Integer, Map<TensorRole, String>> labels = new TreeMap<>();
        List<TensorRole> used = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < manifest.tensors().size(); i++) {
            TensorAnalysis t = manifest.tensors().get(i);
            if (t.tensorClass().layer() < 0 || !COLUMNS.contains(t.role())) {
                if (t.rank() == 2) others.add(i);
                continue;
            }
            TensorDecision d = manifest.plan().decisions().get(i);
            cells.computeIfAbsent(t.tensorClass().layer(), k -> new EnumMap<>(TensorRole.class)).merge(t.role(), d.bits(), Math::max);
            labels.computeIfAbsent(t.tensorClass().layer(), k -> new EnumMap<>(TensorRole.class)).put(t.role(), t.name() + ": " + type(d));
            if (!used.contains(t.role())) used.add(t.role());
        }
        used.sort(java.util.Comparator.comparingInt(COLUMNS::indexOf));
        h.append("<section><h2>Bits per tensor</h2>\n");
        if (cells.isEmpty()) {
            h.append("<p>No decoder-layer projections in this model.</p></section>\n");
            return;
        }
        int cw = 74;
        int ch = Math.max(12, Math.min(26, 700 / cells.size()));
        int left = 60;
        int top = 28;
        int width = left + cw * used.size() + 10;
        int height = top + ch * cells.size() + 10;
        h.append("<svg class=\"heat\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"bits per layer and projection\">\n");
        for (int c = 0; c < used.size(); c++) {
            h.append(text(left + c * cw + cw / 2, top - 8, "middle", used.get(c).label()));
        }
        int r = 0;
        for (Map.Entry<Integer, Map<TensorRole, Integer>> row : cells.entrySet()) {
            int y = top + r * ch;
            h.append(text(left - 8, y + ch / 2 + 4, "end", "layer " + row.getKey()));
            for (int c = 0; c < used.size(); c++) {
                Integer bits = row.getValue().get(used.get(c));
                if (bits == null) continue;
                String tip = labels.get(row.getKey()).get(used.get(c));
                h.append("<rect class=\"cell\" x=\"").append(left + c * cw).append("\" y=\"").append(y).append("\" width=\"")
                        .append(cw - 2).append("\" height=\"").append(ch - 2).append("\" fill=\"").append(color(bits))
                        .append("\"><title>").append(esc(tip)).append("</title></rect>");
                if (ch >= 14) {
                    h.append(text(left + c * cw + cw / 2 - 1, y + ch / 2 + 3, "middle", bits >= 16 ? "float" : String.valueOf(bits)));
                }
            }
            h.append('\n');
            r++;
        }
        h.append("</svg>\n<div class=\"legend\">");
        for (int b : new int[] {2, 3, 4, 5, 6, 8, 16}) {
            h.append("<span><i style=\"background:").append(color(b)).append("\"></i>").append(b == 16 ? "float" : b + " bits").append("</span>");
        }
        h.append("</div>\n");
        if (!others.isEmpty()) {
            h.append("<p class=\"note\">Outside the layers: ");
            List<String> o = new ArrayList<>();
            for (int i : others) {
                TensorAnalysis t = manifest.tensors().get(i);
                // a tied model's stored copy of the head: the output has none (its embedding serves as the head)
                String how = sizer.bytes(t, 16, 0) == 0 ? "not written (the embedding serves as the head)"
                        : type(manifest.plan().decisions().get(i));
                o.add(esc(t.name()) + " " + esc(how));
            }
            h.append(String.join("; ", o)).append("</p>\n");
        }
        h.append("</section>\n");
    }

    /** The result id of the measured sensitivity (predicted KL per unit of relative error) in a manifest. */
    private static final String SENSITIVITY = "selfcal";

    private void depthChart(StringBuilder h) {
        // what decided the plan, per layer: the weighted metrics and their composite (a composite plan), and the
        // measured sensitivity on a log scale spanning this model's tensors (an rd plan); the mean over a
        // layer's analysed tensors
        Map<String, Double> weights = manifest.weights();
        double lo10 = Double.POSITIVE_INFINITY;
        double hi10 = Double.NEGATIVE_INFINITY;
        for (TensorAnalysis t : manifest.tensors()) {
            MetricResult s = t.metrics().get(SENSITIVITY);
            if (s != null && s.raw() > 0) {
                lo10 = Math.min(lo10, Math.log10(s.raw()));
                hi10 = Math.max(hi10, Math.log10(s.raw()));
            }
        }
        Map<String, Map<Integer, double[]>> series = new LinkedHashMap<>();
        for (int i = 0; i < manifest.tensors().size(); i++) {
            TensorAnalysis t = manifest.tensors().get(i);
            int layer = t.tensorClass().layer();
            if (layer < 0) continue;
            for (Map.Entry<String, MetricResult> e : t.metrics().entrySet()) {
                if (weights.getOrDefault(e.getKey(), 0.0) > 0 && Double.isFinite(e.getValue().score())) {
                    add(series, e.getKey(), layer, e.getValue().score());
                }
            }
            MetricResult s = t.metrics().get(SENSITIVITY);
            if (s != null && s.raw() > 0 && hi10 > lo10) {
                add(series, "sensitivity (log)", layer, (Math.log10(s.raw()) - lo10) / (hi10 - lo10));
            }
            double c = manifest.plan().decisions().get(i).composite();
            if (Double.isFinite(c)) add(series, "composite", layer, c);
        }
        h.append("<section><h2>Scores against depth</h2>\n");
        TreeSet<Integer> layers = new TreeSet<>();
        series.values().forEach(m -> layers.addAll(m.keySet()));
        if (layers.size() < 2) {
            h.append("<p>No per-layer measurement the plan weighs (a weight-only plan, or fewer than two analysed layers).</p></section>\n");
            return;
        }
        int w = 640;
        int hh = 260;
        int left = 44;
        int top = 12;
        int pw = w - left - 130;
        int ph = hh - top - 34;
        int lo = layers.first();
        int span = Math.max(1, layers.last() - lo);
        h.append("<svg class=\"chart\" width=\"").append(w).append("\" height=\"").append(hh).append("\" role=\"img\" aria-label=\"scores by layer\">\n");
        axes(h, left, top, pw, ph);
        for (double v = 0; v <= 1.0001; v += 0.25) {
            int y = top + (int) Math.round(ph * (1 - v));
            h.append(text(left - 6, y + 4, "end", Format.fixed(v, 2)));
        }
        for (int l : layers) {
            if (layers.size() > 16 && l % Math.max(1, layers.size() / 8) != 0) continue;
            h.append(text(left + (int) Math.round(pw * (l - lo) / (double) span), top + ph + 16, "middle", String.valueOf(l)));
        }
        h.append(text(left + pw / 2, hh - 2, "middle", "layer"));
        int k = 0;
        for (Map.Entry<String, Map<Integer, double[]>> s : series.entrySet()) {
            String col = s.getKey().equals("composite") ? "#000" : SERIES[k++ % SERIES.length];
            StringBuilder pts = new StringBuilder();
            for (Map.Entry<Integer, double[]> p : new TreeMap<>(s.getValue()).entrySet()) {
                double mean = p.getValue()[0] / p.getValue()[1];
                pts.append(left + Math.round(pw * (p.getKey() - lo) / (double) span)).append(',')
                        .append(top + Math.round(ph * (1 - Math.max(0, Math.min(1, mean))))).append(' ');
            }
            h.append("<polyline class=\"series\" fill=\"none\" stroke=\"").append(col).append("\" stroke-width=\"")
                    .append(s.getKey().equals("composite") ? 2.5 : 1.5).append("\" points=\"").append(pts.toString().trim())
                    .append("\"><title>").append(esc(s.getKey())).append("</title></polyline>\n");
            int ly = top + 14 + 16 * (k + (s.getKey().equals("composite") ? series.size() : 0) - 1);
            h.append("<line x1=\"").append(left + pw + 12).append("\" x2=\"").append(left + pw + 30).append("\" y1=\"").append(ly - 4)
                    .append("\" y2=\"").append(ly - 4).append("\" stroke=\"").append(col).append("\" stroke-width=\"2\"/>")
                    .append(text(left + pw + 34, ly, "start", s.getKey())).append('\n');
        }
        h.append("</svg>\n<p class=\"note\">Mean per layer, higher = more sensitive: metric scores in [0, 1]");
        if (hi10 > lo10) {
            h.append("; the measured sensitivity (KL divergence per unit of relative error, which the plan weighs each "
                    + "tensor's error by) on a log scale from ").append(String.format(java.util.Locale.ROOT, "%.3g", Math.pow(10, lo10)))
                    .append(" to ").append(String.format(java.util.Locale.ROOT, "%.3g", Math.pow(10, hi10)));
        }
        h.append('.');
        // a series that barely moves says little: say so rather than draw a flat line without a word
        for (Map.Entry<String, Map<Integer, double[]>> s : series.entrySet()) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double[] v : s.getValue().values()) {
                min = Math.min(min, v[0] / v[1]);
                max = Math.max(max, v[0] / v[1]);
            }
            if (max - min < 0.02) {
                h.append(' ').append(esc(s.getKey())).append(" is flat at ").append(Format.fixed((min + max) / 2, 2))
                        .append(": it barely varies across layers on these weights.");
            }
        }
        h.append("</p></section>\n");
    }

    private static void add(Map<String, Map<Integer, double[]>> series, String key, int layer, double v) {
        double[] acc = series.computeIfAbsent(key, x -> new TreeMap<>()).computeIfAbsent(layer, x -> new double[2]);
        acc[0] += v;
        acc[1]++;
    }

    private void sizeBreakdown(StringBuilder h, long total) {
        Map<String, long[]> byClass = new LinkedHashMap<>();
        for (int i = 0; i < manifest.tensors().size(); i++) {
            TensorAnalysis t = manifest.tensors().get(i);
            long[] acc = byClass.computeIfAbsent(t.role().label(), k -> new long[2]);
            acc[0] += sizer.bytes(t, manifest.plan().decisions().get(i));
            acc[1] += t.params();
        }
        if (sizer.fixedBytes() > 0) byClass.put("headers and metadata", new long[] {sizer.fixedBytes(), 0});
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byClass.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        h.append("<section><h2>Size by tensor class</h2>\n");
        int barMax = 360;
        int rowH = 22;
        int left = 150;
        h.append("<svg class=\"bars\" width=\"").append(left + barMax + 190).append("\" height=\"").append(rows.size() * rowH + 8)
                .append("\" role=\"img\" aria-label=\"bytes by tensor class\">\n");
        long max = rows.isEmpty() ? 1 : Math.max(1, rows.get(0).getValue()[0]);
        for (int i = 0; i < rows.size(); i++) {
            long[] v = rows.get(i).getValue();
            int y = 4 + i * rowH;
            int len = (int) Math.max(1, Math.round(barMax * v[0] / (double) max));
            h.append(text(left - 8, y + 14, "end", rows.get(i).getKey()));
            h.append("<rect class=\"bar\" x=\"").append(left).append("\" y=\"").append(y).append("\" width=\"").append(len)
                    .append("\" height=\"").append(rowH - 6).append("\"><title>").append(Format.count(v[0])).append(" bytes")
                    .append(v[1] > 0 ? ", " + Format.fixed(v[0] * 8.0 / v[1], 2) + " bits/weight" : "").append("</title></rect>");
            h.append(text(left + len + 6, y + 14, "start", Format.bytes(v[0]) + " (" + Format.fixed(100.0 * v[0] / Math.max(1, total), 1)
                    + "%" + (v[1] > 0 ? ", " + Format.fixed(v[0] * 8.0 / v[1], 2) + " b/w" : "") + ")")).append('\n');
        }
        h.append("</svg></section>\n");
    }

    @SuppressWarnings("unchecked")
    private void evalSection(StringBuilder h, long planBytes) {
        h.append("<section><h2>Quality</h2>\n");
        if (eval == null) {
            h.append("<p class=\"note\">No eval results: run <code>swan eval BASELINE... THIS_OUTPUT --base MODEL --text TEXT "
                    + "--json &gt; results.json</code> and pass <code>--eval results.json</code>.</p></section>\n");
            return;
        }
        List<Map<String, Object>> models = (List<Map<String, Object>>) eval.getOrDefault("models", List.of());
        String mine = planLabel;
        if (mine == null) {
            long best = Long.MAX_VALUE;
            for (Map<String, Object> m : models) {
                if (Boolean.TRUE.equals(m.get("base"))) continue;
                long d = Math.abs(num(m.get("bytes")).longValue() - planBytes);
                // equal sizes (a plan made at a baseline's size): the output named like swan's defaults
                boolean tieWins = d == best && String.valueOf(m.get("model")).contains("swan");
                if (d < best || tieWins) {
                    best = d;
                    mine = String.valueOf(m.get("model"));
                }
            }
        }
        h.append("<p class=\"sub\">").append(esc(String.valueOf(eval.getOrDefault("text", "")))).append(", context ")
                .append(esc(String.valueOf(eval.get("ctx")))).append(", ").append(esc(String.valueOf(eval.get("scored"))))
                .append(" scored tokens (").append(esc(String.valueOf(eval.getOrDefault("protocol", "")))).append(")</p>\n");
        h.append("<table id=\"eval\"><thead><tr><th>model</th><th>bytes</th><th>bits/weight</th><th>PPL</th><th>&Delta; PPL</th>"
                + "<th>KLD mean</th><th>KLD p99</th><th>top-1</th></tr></thead><tbody>\n");
        for (Map<String, Object> m : models) {
            boolean me = String.valueOf(m.get("model")).equals(mine);
            h.append("<tr").append(me ? " class=\"mine\"" : "").append("><td>").append(esc(String.valueOf(m.get("model"))))
                    .append(Boolean.TRUE.equals(m.get("base")) ? " (base)" : me ? " (this plan)" : "").append("</td>")
                    .append(cell(m.get("bytes"), 0)).append(cell(m.get("bits_per_weight"), 3)).append(cell(m.get("ppl"), 4))
                    .append(cell(m.get("delta_ppl"), 4)).append(cell(m.get("kld_mean"), 5)).append(cell(m.get("kld_p99"), 4))
                    .append(m.get("top1") == null ? "<td>-</td>" : "<td>" + Format.fixed(100 * num(m.get("top1")).doubleValue(), 2) + " %</td>")
                    .append("</tr>\n");
        }
        h.append("</tbody></table>\n");
        scatter(h, models, mine);
        h.append("</section>\n");
    }

    private static void scatter(StringBuilder h, List<Map<String, Object>> models, String mine) {
        List<Map<String, Object>> pts = new ArrayList<>();
        boolean kld = models.stream().anyMatch(m -> m.get("kld_mean") != null);
        for (Map<String, Object> m : models) {
            if (Boolean.TRUE.equals(m.get("base"))) continue;
            if ((kld ? m.get("kld_mean") : m.get("ppl")) != null) pts.add(m);
        }
        if (pts.size() < 2) return;
        double xMin = Double.MAX_VALUE;
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (Map<String, Object> m : pts) {
            double x = num(m.get("bytes")).doubleValue();
            double y = yValue(m, kld);
            xMin = Math.min(xMin, x);
            xMax = Math.max(xMax, x);
            yMin = Math.min(yMin, y);
            yMax = Math.max(yMax, y);
        }
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) yMax = yMin + 1e-9;
        int w = 640;
        int hh = 336;
        int left = 64;
        int top = 30; // the y axis's title is a line above the plot, clear of its tick labels however wide
        int pw = w - left - 130;
        int ph = hh - top - 44;
        h.append("<h3>Quality against size</h3>\n<svg class=\"chart\" id=\"scatter\" width=\"").append(w).append("\" height=\"")
                .append(hh).append("\" role=\"img\" aria-label=\"quality against size\">\n");
        axes(h, left, top, pw, ph);
        String yName = kld ? "KL divergence vs base, log scale (lower is better)" : "perplexity, log scale (lower is better)";
        h.append(text(left + pw / 2, hh - 4, "middle", "file size (bytes)"));
        h.append("<text class=\"axis\" x=\"" + 4 + "\" y=\"" + (top - 14) + "\" text-anchor=\"start\">").append(esc(yName)).append("</text>\n");
        h.append(text(left, top + ph + 16, "start", Format.bytes((long) xMin))).append(text(left + pw, top + ph + 16, "end", Format.bytes((long) xMax)));
        h.append(text(left - 6, top + 12, "end", String.format(Locale.ROOT, "%.3g", Math.pow(10, yMax))))
                .append(text(left - 6, top + ph - 4, "end", String.format(Locale.ROOT, "%.3g", Math.pow(10, yMin))));
        for (Map<String, Object> m : pts) {
            double px = left + 10 + (pw - 20) * (num(m.get("bytes")).doubleValue() - xMin) / (xMax - xMin);
            double py = top + 8 + (ph - 16) * (1 - (yValue(m, kld) - yMin) / (yMax - yMin));
            String label = String.valueOf(m.get("model"));
            boolean me = label.equals(mine);
            String shortLabel = java.nio.file.Path.of(label).getFileName() == null ? label : java.nio.file.Path.of(label).getFileName().toString();
            h.append("<circle class=\"point").append(me ? " mine" : "").append("\" cx=\"").append(Math.round(px)).append("\" cy=\"")
                    .append(Math.round(py)).append("\" r=\"").append(me ? 7 : 5).append("\"><title>").append(esc(label)).append(": ")
                    .append(Format.count(num(m.get("bytes")).longValue())).append(" bytes, ")
                    .append(kld ? "KLD " + String.format(Locale.ROOT, "%.5f", num(m.get("kld_mean")).doubleValue())
                            : "PPL " + String.format(Locale.ROOT, "%.4f", num(m.get("ppl")).doubleValue()))
                    .append("</title></circle>")
                    .append("<text class=\"point-label\" x=\"").append(Math.round(px) + 9).append("\" y=\"").append(Math.round(py) + 4)
                    .append("\">").append(esc(shortLabel + (me ? " (this plan)" : ""))).append("</text>")
                    .append('\n');
        }
        h.append("</svg>\n");
    }

    private static double yValue(Map<String, Object> m, boolean kld) {
        double v = num(kld ? m.get("kld_mean") : m.get("ppl")).doubleValue();
        return Math.log10(Math.max(v, 1e-9));
    }

    private static void axes(StringBuilder h, int left, int top, int pw, int ph) {
        h.append("<line class=\"ax\" x1=\"").append(left).append("\" y1=\"").append(top).append("\" x2=\"").append(left)
                .append("\" y2=\"").append(top + ph).append("\"/><line class=\"ax\" x1=\"").append(left).append("\" y1=\"")
                .append(top + ph).append("\" x2=\"").append(left + pw).append("\" y2=\"").append(top + ph).append("\"/>\n");
    }

    private static String cell(Object v, int decimals) {
        if (v == null) return "<td>-</td>";
        double d = num(v).doubleValue();
        return "<td>" + (decimals == 0 ? Format.count((long) d) : Format.fixed(d, decimals)) + "</td>";
    }

    private static Number num(Object o) {
        return o instanceof Number n ? n : Double.NaN;
    }

    private static String type(TensorDecision d) {
        if (d.encoding() != null && !d.encoding().isEmpty()) return d.encoding();
        return d.bits() >= 16 ? "float" : d.bits() + " bits" + (d.groupSize() > 0 ? " g" + d.groupSize() : "");
    }

    /** One colour per precision: warm for few bits, cool for many, blue for float. */
    static String color(int bits) {
        switch (bits) {
            case 2: return "#d73027";
            case 3: return "#fc8d59";
            case 4: return "#fee08b";
            case 5: return "#d9ef8b";
            case 6: return "#91cf60";
            case 8: return "#1a9850";
            default: return bits >= 16 ? "#4575b4" : "#cccccc";
        }
    }

    private static String text(int x, int y, String anchor, String s) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + esc(s) + "</text>";
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = String.join("\n",
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px 32px;color:#222;max-width:1100px}",
            "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}",
            "h3{font-size:15px;margin:18px 0 6px}.sub{color:#555;margin:0 0 8px}.note{color:#666;font-size:12px}",
            "svg text{font-size:11px;fill:#333}.axis{font-size:11px;fill:#333}.ax{stroke:#888;stroke-width:1}",
            "rect.cell{stroke:#fff;stroke-width:1}rect.cell:hover{stroke:#000}rect.bar{fill:#4575b4}rect.bar:hover{fill:#313695}",
            ".legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:12px;"
                    + "height:12px;margin-right:4px;vertical-align:-2px;border:1px solid #aaa}",
            "table{border-collapse:collapse;font-size:13px}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}",
            "th{cursor:pointer;background:#f6f6f6}td:first-child,th:first-child{text-align:left}tr.mine td{font-weight:600;background:#fff8d6}",
            "circle.point{fill:#4575b4;opacity:.85}circle.point.mine{fill:#d73027}polyline.series:hover{stroke-width:4}",
            "");

    /** Sorts the eval table by a clicked column; marks the page rendered (the report's test looks for it). */
    private static final String SCRIPT = String.join("\n",
            "(function(){",
            "  var t=document.getElementById('eval');",
            "  if(t){var hs=t.tHead.rows[0].cells;for(var i=0;i<hs.length;i++){(function(c){hs[c].addEventListener('click',function(){",
            "    var rows=Array.prototype.slice.call(t.tBodies[0].rows);var asc=t.dataset.col!=String(c)||t.dataset.dir!='asc';",
            "    rows.sort(function(a,b){var x=a.cells[c].textContent.replace(/[ ,%]/g,''),y=b.cells[c].textContent.replace(/[ ,%]/g,'');",
            "      var nx=parseFloat(x),ny=parseFloat(y);var r=isNaN(nx)||isNaN(ny)?x.localeCompare(y):nx-ny;return asc?r:-r;});",
            "    rows.forEach(function(r){t.tBodies[0].appendChild(r);});t.dataset.col=String(c);t.dataset.dir=asc?'asc':'desc';});})(i);}}",
            "  document.documentElement.setAttribute('data-rendered','yes');",
            "})();",
            "");
}
