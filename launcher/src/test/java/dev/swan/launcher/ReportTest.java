package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'swan report' writes one self-contained HTML page that renders in a real browser (headless Chromium)
 * without script errors. Chromium is a Debian package (CI installs it); without it the rendering check is
 * skipped, and fails with -Dswan.requireChromium=true.
 */
class ReportTest {
    @TempDir
    Path tmp;

    @Test
    void reportOfAPlanWithItsEvalRendersInABrowser() throws Exception {
        String model = SharedModels.model("stories260K").toString();
        String text = SharedModels.eval("tinystories/tinystories-valid-excerpt.txt").toString();
        Path manifest = tmp.resolve("plan.json");
        assertEquals(0, Cli.run("analyze", model, "-o", manifest.toString(), "-f", "gguf", "-q").exit());
        Path swan = tmp.resolve("stories-swan.gguf");
        Path q40 = tmp.resolve("q40.gguf");
        assertEquals(0, Cli.run("quantize", model, "--manifest", manifest.toString(), "-o", swan.toString(), "-q").exit());
        assertEquals(0, Cli.run("quantize", model, "--uniform", "Q4_0", "-o", q40.toString(), "-q").exit());
        Path results = tmp.resolve("r.json");
        Cli e = Cli.run("eval", q40.toString(), swan.toString(), "--base", model, "--text", text, "--ctx", "128",
                "--chunks", "8", "--json", "-o", results.toString(), "-q");
        assertEquals(0, e.exit(), e.toString());
        Path html = tmp.resolve("report.html");
        Cli r = Cli.run("report", manifest.toString(), "--eval", results.toString(), "-o", html.toString());
        assertEquals(0, r.exit(), r.toString());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertFalse(page.matches("(?s).*(src|href)=\"(https?:)?//.*"), "nothing fetched from the network");
        assertTrue(page.contains("Bits per tensor") && page.contains("layer 4") && page.contains("attn_q"), "heat map");
        assertTrue(page.contains("Scores against depth") && page.contains("<polyline"), "depth chart");
        assertTrue(page.contains("sensitivity (log)") && page.contains("which the plan weighs"), "what decided the plan is drawn");
        assertTrue(page.contains("Size by tensor class") && page.contains("mlp_down"), "size breakdown");
        assertTrue(page.contains("stories-swan.gguf (this plan)") && page.contains("Quality against size")
                && page.contains("<circle"), "eval table and plot");
        Cli again = Cli.run("report", manifest.toString(), "-o", html.toString());
        assertEquals(1, again.exit(), "an existing report needs --force");
        Cli bad = Cli.run("report", manifest.toString(), "--eval", manifest.toString(), "-o", tmp.resolve("x.html").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("not eval results"), bad.err());
        rendersWithoutScriptErrors(html);
        // a near-lossless pair (KLD of order 1e-5): its tick labels are at their widest next to the axis title
        Path tiny = tmp.resolve("tiny.json");
        Files.writeString(tiny, Files.readString(results).replaceAll("\"kld_mean\"\\s*:\\s*([0-9.]+)(E-?[0-9]+)?",
                "\"kld_mean\":$1E-5"));
        Path tinyHtml = tmp.resolve("tiny.html");
        assertEquals(0, Cli.run("report", manifest.toString(), "--eval", tiny.toString(), "-o", tinyHtml.toString()).exit());
        assertTrue(Files.readString(tinyHtml).contains("e-0"), "tick labels in scientific notation");
        rendersWithoutScriptErrors(tinyHtml);
    }

    @Test
    void quantizeWritesTheReportBesideItsOutput() throws IOException {
        Path html = tmp.resolve("q.html");
        Cli q = Cli.run("quantize", SharedModels.model("stories260K").toString(), "-o", tmp.resolve("o").toString(),
                "--report", html.toString(), "--self-calibrate", "0", "-q");
        assertEquals(0, q.exit(), q.toString());
        assertTrue(Files.readString(html).contains("Bits per tensor"));
    }

    private void rendersWithoutScriptErrors(Path html) throws Exception {
        Path chromium = List.of("chromium", "chromium-browser", "google-chrome").stream()
                .flatMap(n -> java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":")).map(d -> Path.of(d, n)))
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (chromium == null) {
            String msg = "no chromium on PATH (apt-get install chromium): rendering not checked";
            if (Boolean.getBoolean("swan.requireChromium")) throw new AssertionError(msg);
            Assumptions.abort(msg);
        }
        Path log = tmp.resolve("chromium.log");
        ProcessBuilder pb = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--enable-logging=stderr", "--v=0", "--user-data-dir=" + tmp.resolve("profile"), "--dump-dom",
                html.toUri().toString()).redirectError(log.toFile());
        Process p = pb.start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        String console = Files.readString(log);
        assertFalse(console.contains("Uncaught") || console.matches("(?s).*CONSOLE.*Error.*"), console);
        assertTrue(dom.contains("data-rendered=\"yes\""), "the page's script ran to the end: " + console);
        assertTrue(dom.contains("<svg"), "charts in the rendered page");
        String overlaps = overlappingChartText(chromium, html);
        assertEquals("", overlaps, "chart texts drawn over each other (as the browser lays them out)");
    }

    /**
     * The pairs of texts in a chart whose boxes, as the browser lays them out, intersect: axis titles, tick
     * labels, legends. A point's own label is left out (two models of nearly one size and quality are
     * drawn close by nature).
     */
    private String overlappingChartText(Path chromium, Path html) throws Exception {
        String check = "<script>(function(){var out=[];document.querySelectorAll('svg').forEach(function(svg){"
                + "var ts=[].slice.call(svg.querySelectorAll('text')).filter(function(t){return !t.classList.contains('point-label');});"
                + "var bs=ts.map(function(t){return t.getBoundingClientRect();});"
                + "for(var i=0;i<ts.length;i++)for(var j=i+1;j<ts.length;j++){var a=bs[i],b=bs[j];"
                + "if(a.width>0&&b.width>0&&a.left<b.right-1&&b.left<a.right-1&&a.top<b.bottom-1&&b.top<a.bottom-1)"
                + "out.push((svg.id||'svg')+': '+ts[i].textContent+' / '+ts[j].textContent);}});"
                + "document.body.setAttribute('data-overlaps',out.join(' | '));})();</script>";
        Path probe = tmp.resolve("probe.html");
        Files.writeString(probe, Files.readString(html, StandardCharsets.UTF_8).replace("</body>", check + "</body>"),
                StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("profile2"), "--dump-dom", probe.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-overlaps=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), "the probe ran");
        return m.group(1);
    }
}
