package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A card end to end on qwen3-gutenberg-4m: quantize (swan's plan and the uniform 4-bit baseline), eval with
 * perplexity and a small multiple-choice file, card; every figure of its table is the JSON's.
 */
class CardCommandTest {
    @TempDir
    Path tmp;

    @Test
    void cardFromTheResultsItWasMadeFrom() throws Exception {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path out = tmp.resolve("swan-mlx");
        Path u4 = tmp.resolve("uniform4-mlx");
        assertEquals(0, Cli.run("quantize", model, "-o", out.toString(), "--self-calibrate", "0", "-q").exit());
        assertEquals(0, Cli.run("quantize", model, "-o", u4.toString(), "--uniform", "4", "-q").exit());
        Path ppl = tmp.resolve("ppl.json");
        Cli e = Cli.run("eval", out.toString(), u4.toString(), "--base", model, "--text",
                SharedModels.eval("gutenberg/frankenstein-excerpt.txt").toString(), "--ctx", "128", "--chunks", "6", "-o", ppl.toString());
        assertEquals(0, e.exit(), e.toString());
        Path mc = tmp.resolve("mc.jsonl");
        Files.write(mc, List.of("{\"query\": \"It was a dark and stormy\", \"choices\": [\"night\", \"potato\"], \"gold\": 0}",
                "{\"query\": \"I beheld the wretch, the miserable\", \"choices\": [\"monster\", \"teacup\"], \"gold\": 0}",
                "{\"query\": \"The sun rose over the\", \"choices\": [\"mountains\", \"of\"], \"gold\": 0}"));
        Path tasks = tmp.resolve("tasks.json");
        Cli t = Cli.run("eval", out.toString(), u4.toString(), "--base", model, "--task", "multiple_choice=" + mc, "-o", tasks.toString());
        assertEquals(0, t.exit(), t.toString());
        Cli c = Cli.run("card", out.toString(), "--results", ppl.toString(), "--results", tasks.toString());
        assertEquals(0, c.exit(), c.toString());
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.startsWith("---\nlibrary_name: mlx"), card);
        assertTrue(card.contains("base_model: qwen3-gutenberg-4m"), card);
        assertTrue(card.contains("How the plan was made: "), "the method the writer recorded: " + card);
        ObjectMapper json = new ObjectMapper();
        JsonNode models = json.readTree(ppl.toFile()).get("models");
        JsonNode taskRows = json.readTree(tasks.toFile()).get("tasks");
        String[] names = {"qwen3-gutenberg-4m (base)", "**this model** (swan-mlx)", "uniform4-mlx"};
        for (int i = 0; i < 3; i++) {
            JsonNode m = models.get(i);
            String prefix = "| " + names[i] + " |";
            String row = card.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(card));
            assertTrue(row.contains(String.format(Locale.ROOT, "%.3f ± %.3f", m.get("ppl").asDouble(), m.get("ppl_error").asDouble())), row);
            assertTrue(row.contains(String.format(Locale.ROOT, "%.2f |", m.get("bits_per_weight").asDouble())), row);
            if (i > 0) {
                assertTrue(row.contains(String.format(Locale.ROOT, "%.4f", m.get("kld_mean").asDouble())), row);
                assertTrue(row.contains(String.format(Locale.ROOT, "%+.2f %%", 100 * (m.get("ppl").asDouble() / models.get(0).get("ppl").asDouble() - 1))), row);
                assertTrue(row.contains(String.format(Locale.ROOT, "%.2f×", models.get(0).get("bytes").asDouble() / m.get("bytes").asDouble())), row);
            }
            JsonNode task = taskRows.get(i);
            assertEquals(m.get("model").asText(), task.get("model").asText());
            assertTrue(row.contains(String.format(Locale.ROOT, "%.2f ± %.2f", 100 * task.get("acc_norm").asDouble(),
                    100 * task.get("acc_norm_stderr").asDouble())), row);
        }
        assertTrue(card.contains("multiple_choice (0-shot, 3 q., acc_norm %)"), card);
        assertTrue(card.contains("## Precision") && card.contains("mlx_lm.generate --model swan-mlx"), card);
        // a GGUF gets a sidecar card; results without it are refused in one line
        Path gguf = tmp.resolve("q8.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", gguf.toString(), "--uniform", "Q8_0", "-q").exit());
        Cli missing = Cli.run("card", gguf.toString(), "--results", ppl.toString());
        assertTrue(missing.exit() != 0 && missing.err().contains("no results for it") && missing.err().contains("swan eval"), missing.err());
        Path ggufResults = tmp.resolve("g.json");
        assertEquals(0, Cli.run("eval", gguf.toString(), "--base", model, "--text", SharedModels.eval("gutenberg/frankenstein-excerpt.txt")
                .toString(), "--ctx", "128", "--chunks", "2", "-o", ggufResults.toString()).exit());
        assertEquals(0, Cli.run("card", gguf.toString(), "--results", ggufResults.toString()).exit());
        String side = Files.readString(tmp.resolve("q8.md"));
        assertTrue(side.startsWith("# q8\n") && side.contains("llama-cli -m q8.gguf") && side.contains("| Q8_0 |"), side);
        Cli again = Cli.run("card", gguf.toString(), "--results", ggufResults.toString());
        assertTrue(again.exit() != 0 && again.err().contains("--force"), again.err());
        assertEquals(0, Cli.run("card", gguf.toString(), "--results", ggufResults.toString(), "--force").exit());
    }

    /** quantize --eval --card: the card from the evaluation the run just made, with the format's usual baseline. */
    @Test
    void quantizeWritesTheCardOfItsOwnEvaluation() throws Exception {
        String model = SharedModels.model("stories260K").toString();
        Path out = tmp.resolve("s.gguf");
        Cli q = Cli.run("quantize", model, "-o", out.toString(), "--self-calibrate", "0", "--eval",
                SharedModels.eval("tinystories/tinystories-valid-excerpt.txt").toString(), "--eval-ctx", "128", "--card");
        assertEquals(0, q.exit(), q.toString());
        String card = Files.readString(tmp.resolve("s.md"));
        String row = card.lines().filter(l -> l.startsWith("| **this model** (s.gguf) |")).findFirst().orElseThrow(() -> new AssertionError(card));
        String evalRow = q.out().lines().filter(l -> l.startsWith(out.toString())).findFirst().orElseThrow(() -> new AssertionError(q.out()));
        String[] cols = evalRow.trim().split("\\s+");
        // the eval table's KLD column (the run's printed figure) is the card's
        assertTrue(row.contains(String.format(Locale.ROOT, "%.4f", Double.parseDouble(cols[6]))), row + " / " + evalRow);
        // beside it the format's usual baseline (llama-quantize Q4_K_M), written for the card, scored, then removed
        assertTrue(card.lines().anyMatch(l -> l.startsWith("| s-baseline-Q4_K_M.gguf |")), card);
        assertTrue(q.out().lines().anyMatch(l -> l.contains("s-baseline-Q4_K_M.gguf")), q.out());
        assertTrue(!Files.exists(tmp.resolve("s-baseline-Q4_K_M.gguf")), "the baseline is not left behind");
        Cli refused = Cli.run("quantize", model, "-o", tmp.resolve("t.gguf").toString(), "--card");
        assertTrue(refused.exit() != 0 && refused.err().contains("--card needs --eval TEXT"), refused.err());
    }
}
