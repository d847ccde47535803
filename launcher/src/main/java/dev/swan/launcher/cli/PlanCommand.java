package dev.swan.launcher.cli;

import dev.swan.api.MetricResult;
import dev.swan.api.TensorAnalysis;
import dev.swan.api.TensorDecision;
import dev.swan.launcher.pipeline.Manifest;
import dev.swan.launcher.pipeline.ManifestIO;
import dev.swan.launcher.ui.Format;
import dev.swan.launcher.ui.Table;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code swan plan MANIFEST}: the plan tensor by tensor, without reading JSON. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print a manifest's plan (from 'swan analyze' or 'swan allocate -o') one "
                + "tensor per line: class, layer, shape, each metric's score, composite, bits, group or encoding, and "
                + "the reason for the decision.",
                "  swan plan model.swan.json --match 'layers\\.0\\.'"})
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MANIFEST.json", description = "Manifest or plan file.")
    Path manifest;

    @Option(names = {"-m", "--match"}, paramLabel = "REGEX", description = "Only tensors whose name contains a match.")
    String match;

    @Option(names = "--bits", paramLabel = "BITS", description = "Only tensors planned at BITS (16 = kept in float).")
    Integer bits;

    /** The result id of self-calibrated sensitivities in a manifest (predicted KL per unit of relative error). */
    static final String SENSITIVITY = "selfcal";

    @Override
    public Integer call() throws Exception {
        PrintStream out = Io.out(spec);
        if (match != null) PlanOptions.checkRegex("--match", match);
        Pattern filter = match == null ? null : Pattern.compile(match);
        Manifest m = ManifestIO.read(manifest);
        // the columns that decided the plan: the weighted metrics of a composite plan, or the measured
        // sensitivity (predicted KL per unit of relative error) and the chosen encoding's predicted damage
        List<String> metricIds = new ArrayList<>();
        m.weights().forEach((id, w) -> {
            if (w > 0) metricIds.add(id);
        });
        boolean measured = m.tensors().stream().anyMatch(a -> a.metrics().containsKey(SENSITIVITY));
        List<String> headers = new ArrayList<>(List.of("TENSOR", "CLASS", "LAYER>", "SHAPE"));
        for (String id : metricIds) headers.add(id.toUpperCase(java.util.Locale.ROOT) + ">");
        if (!metricIds.isEmpty()) headers.add("COMPOSITE>");
        if (measured) headers.addAll(List.of("SENSITIVITY>", "DAMAGE>"));
        headers.addAll(List.of("BITS>", "GROUP/TYPE", "REASON"));
        Table t = new Table(headers.toArray(new String[0]));
        int shown = 0;
        long params = 0;
        for (int i = 0; i < m.tensors().size(); i++) {
            TensorAnalysis a = m.tensors().get(i);
            TensorDecision d = m.plan().decisions().get(i);
            if (filter != null && !filter.matcher(a.name()).find()) continue;
            if (bits != null && d.bits() != bits) continue;
            List<Object> row = new ArrayList<>();
            row.add(a.name());
            row.add(a.role().name().toLowerCase(java.util.Locale.ROOT));
            row.add(a.tensorClass().layer() < 0 ? "-" : a.tensorClass().layer());
            row.add(Arrays.stream(a.shape()).mapToObj(Long::toString).collect(Collectors.joining("x")));
            for (String id : metricIds) {
                MetricResult r = a.metrics().get(id);
                row.add(r == null ? "-" : Format.fixed(r.score(), 3));
            }
            if (!metricIds.isEmpty()) row.add(Double.isNaN(d.composite()) ? "-" : Format.fixed(d.composite(), 3));
            if (measured) {
                MetricResult s = a.metrics().get(SENSITIVITY);
                MetricResult q = a.metrics().get("qerror");
                Double rel = q == null || d.encoding() == null ? null : q.details().get("rel:" + d.encoding());
                row.add(s == null ? "-" : String.format(java.util.Locale.ROOT, "%.3g", s.raw()));
                row.add(s == null ? "-" : d.bits() >= 16 ? "0" : rel == null ? "?"
                        : String.format(java.util.Locale.ROOT, "%.2e", s.raw() * rel));
            }
            row.add(d.bits() >= 16 ? "float" : d.bits());
            row.add(d.encoding() != null && !d.encoding().isEmpty() ? d.encoding() : d.groupSize() > 0 ? "g" + d.groupSize() : "-");
            row.add(a.skipReason() != null && d.reason() == null ? a.skipReason() : d.reason());
            t.row(row.toArray());
            shown++;
            params += a.params();
        }
        t.print(out);
        out.println(shown + " of " + m.tensors().size() + " tensors, " + Format.count(params) + " parameters"
                + (filter != null || bits != null ? " (filtered)" : ""));
        return 0;
    }
}
