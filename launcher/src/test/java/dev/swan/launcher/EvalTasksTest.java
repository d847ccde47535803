package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swan eval --task}: multiple-choice accuracy through the command line, and its one-line refusals. */
class EvalTasksTest {
    @TempDir
    Path tmp;

    private Path arc(String name, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        String[][] qa = {{"What did Lily see in the park?", "a big tree", "a red car"}, {"Who loved to play?", "the girl", "the rock"},
                {"What was hot?", "the sun", "the snow"}, {"What did the dog do?", "it ran", "it read"}};
        for (int i = 0; i < n; i++) {
            String[] q = qa[i % qa.length];
            lines.add("{\"id\": \"" + name + i + "\", \"question\": \"" + q[0] + "\", \"choices\": {\"text\": [\"" + q[1] + "\", \""
                    + q[2] + "\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"" + (i % 2 == 0 ? "A" : "B") + "\"}");
        }
        Path f = tmp.resolve(name + ".jsonl");
        Files.write(f, lines);
        return f;
    }

    @Test
    void scoresEveryModelWithTheBaseFirst() throws Exception {
        String model = SharedModels.model("stories260K").toString();
        Path q8 = tmp.resolve("q8.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", q8.toString(), "--uniform", "Q8_0", "-q").exit());
        Path test = arc("test", 6);
        Path train = arc("train", 4);
        Path results = tmp.resolve("r.json");
        Cli r = Cli.run("eval", q8.toString(), "--base", model, "--task", "arc_challenge=" + test, "--train", "arc_challenge=" + train,
                "--fewshot", "2", "-o", results.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("arc_challenge") && r.out().contains("ACC_NORM") && r.out().contains("(base)"), r.out());
        JsonNode tasks = new ObjectMapper().readTree(results.toFile()).get("tasks");
        assertEquals(2, tasks.size());
        assertTrue(tasks.get(0).get("base").asBoolean());
        for (JsonNode t : tasks) {
            assertEquals(2, t.get("shots").asInt());
            assertEquals(6, t.get("questions").asInt());
            double acc = t.get("acc").asDouble();
            assertTrue(acc >= 0 && acc <= 1 && Math.abs(acc * 6 - Math.round(acc * 6)) < 1e-9, "a count over 6: " + acc);
            assertTrue(t.has("acc_stderr") && t.has("acc_norm") && t.has("acc_norm_stderr"), t.toString());
        }
        // Q8_0 reads as nearly the same model: the same answers here
        assertEquals(tasks.get(0).get("acc").asDouble(), tasks.get(1).get("acc").asDouble(), 1e-9);
        // perplexity and tasks in one run
        Cli both = Cli.run("eval", model, "--text", SharedModels.eval("tinystories/tinystories-valid-excerpt.txt").toString(),
                "--chunks", "2", "--ctx", "128", "--task", "multiple_choice=" + mc(), "--json");
        assertEquals(0, both.exit(), both.toString());
        JsonNode doc = new ObjectMapper().readTree(both.out());
        assertTrue(doc.has("ppl") || doc.get("models") != null, both.out());
        assertEquals(0, doc.get("tasks").get(0).get("shots").asInt());
    }

    /** WikiText's pages: word and byte perplexity and bits per byte for the base and the model, in the table and the JSON. */
    @Test
    void wikitextRollingLoglikelihood() throws Exception {
        String model = SharedModels.model("stories260K").toString();
        Path q8 = tmp.resolve("q8.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", q8.toString(), "--uniform", "Q8_0", "-q").exit());
        Path pages = tmp.resolve("wikitext.jsonl");
        Files.write(pages, List.of("{\"page\": \" = Lily = \\n \\n Lily was a little girl . She loved to play in the park with her dog . \\n\"}",
                "{\"page\": \" = Tom = \\n \\n Tom had a big red ball . He gave it to his friend , and they played all day . \\n\"}"));
        Path results = tmp.resolve("w.json");
        Cli r = Cli.run("eval", q8.toString(), "--base", model, "--task", "wikitext=" + pages, "--ctx", "16", "-o", results.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("WORD PPL") && r.out().contains("BITS/BYTE") && r.out().contains("windows of 16 tokens"), r.out());
        JsonNode corpora = new ObjectMapper().readTree(results.toFile()).get("corpora");
        assertEquals(2, corpora.size());
        for (JsonNode c : corpora) {
            assertEquals(2, c.get("documents").asInt());
            assertEquals(47, c.get("words").asInt(), "words of the stored pages, as Python's re.split counts them (22 + 25)");
            double ll = c.get("loglikelihood").asDouble();
            assertEquals(Math.exp(-ll / c.get("words").asDouble()), c.get("word_perplexity").asDouble(), 1e-9);
            assertEquals(-ll / c.get("bytes").asDouble() / Math.log(2), c.get("bits_per_byte").asDouble(), 1e-12);
        }
        double base = corpora.get(0).get("word_perplexity").asDouble();
        double quant = corpora.get(1).get("word_perplexity").asDouble();
        assertTrue(Math.abs(quant / base - 1) < 0.05, "Q8_0 scores as the source within 5 %: " + base + " vs " + quant);
    }

    private Path mc() throws Exception {
        Path f = tmp.resolve("mc.jsonl");
        Files.write(f, List.of("{\"query\": \"Once upon a time, there was a little\", \"choices\": [\"girl\", \"rock\"], \"gold\": 0}"));
        return f;
    }

    @Test
    void badTaskInputIsRefusedInOneLine() throws Exception {
        String model = SharedModels.model("stories260K").toString();
        Cli unknown = Cli.run("eval", model, "--task", "mmlu=" + mc());
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("unknown task 'mmlu'"), unknown.err());
        Cli missing = Cli.run("eval", model, "--task", "arc_easy=" + tmp.resolve("none.jsonl"));
        assertTrue(missing.exit() != 0 && missing.err().contains("no such file"), missing.err());
        Cli noTrain = Cli.run("eval", model, "--task", "arc_easy=" + arc("t", 2), "--fewshot", "2");
        assertTrue(noTrain.exit() != 0 && noTrain.err().contains("--train arc_easy=FILE"), noTrain.err());
        Cli few = Cli.run("eval", model, "--task", "arc_easy=" + arc("t2", 2), "--train", "arc_easy=" + arc("tr", 2), "--fewshot", "5");
        assertTrue(few.exit() != 0 && few.err().contains("training split has 2"), few.err());
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"question\": \"Q?\", \"choices\": {\"text\": [\"a\", \"b\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"C\"}\n");
        Cli key = Cli.run("eval", model, "--task", "arc_easy=" + bad);
        assertTrue(key.exit() != 0 && key.err().contains("bad.jsonl:1") && key.err().contains("'C' is not among"), key.err());
        Cli nothing = Cli.run("eval", model);
        assertEquals(2, nothing.exit());
        assertTrue(nothing.err().contains("Nothing to score"), nothing.err());
        for (Cli c : List.of(unknown, missing, noTrain, few, key, nothing)) {
            assertTrue(c.err().strip().lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING")).count() <= 3, c.err());
        }
    }
}
