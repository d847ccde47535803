package dev.swan.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.api.numeric.Parallel;
import dev.swan.eval.EvalException;
import dev.swan.eval.HfStoredModel;
import dev.swan.eval.Transformer;
import dev.swan.eval.tokenizer.Tokenizer;
import dev.swan.eval.tokenizer.Tokenizers;
import dev.swan.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lm-evaluation-harness' multiple-choice protocol: records to questions, prompts, log-likelihoods, accuracies. */
class MultipleChoiceTest {
    @TempDir
    Path tmp;

    private Path file(String name, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void arcRecordsAndFewShotPromptsAsLmEvalBuildsThem() throws Exception {
        Path f = file("arc.jsonl",
                "{\"id\": \"a\", \"question\": \"Which is a gas?\", \"choices\": {\"text\": [\"ice\", \"steam\", \"rock\"], \"label\": [\"A\", \"B\", \"C\"]}, \"answerKey\": \"B\"}",
                "{\"id\": \"b\", \"question\": {\"stem\": \"What do plants need?\", \"choices\": [{\"text\": \"light\", \"label\": \"1\"}, {\"text\": \"salt\", \"label\": \"2\"}]}, \"answerKey\": \"1\"}",
                "{\"id\": \"c\", \"question\": \"Which is hot?\", \"choices\": {\"text\": [\"sun\", \"snow\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}");
        List<Question> qs = TaskFile.read("arc_challenge", f);
        assertEquals("Question: Which is a gas?\nAnswer:", qs.get(0).text());
        assertEquals(List.of("ice", "steam", "rock"), qs.get(0).choices());
        assertEquals(1, qs.get(0).gold());
        assertEquals("Question: What do plants need?\nAnswer:", qs.get(1).text(), "AI2's own layout");
        assertEquals(0, qs.get(1).gold());
        // two examples, each text + " " + answer, joined and followed by a blank line, then the question
        assertEquals("Question: What do plants need?\nAnswer: light\n\nQuestion: Which is hot?\nAnswer: sun\n\n"
                + "Question: Which is a gas?\nAnswer:", FewShot.prompt(List.of(qs.get(1), qs.get(2)), qs.get(0)));
        assertEquals("Question: Which is a gas?\nAnswer:", FewShot.prompt(List.of(), qs.get(0)), "zero-shot: the text alone");
        // drawn as lm-eval draws (random.Random(7).sample(range(3), 3) per question: [1, 0, 2], then [2, 0, 1] in CPython),
        // the question itself left out of its own examples
        FewShot sampler = new FewShot(qs, 7);
        assertEquals(List.of(qs.get(1), qs.get(2)), sampler.draw(2, qs.get(0)));
        assertEquals(List.of(qs.get(2), qs.get(0)), sampler.draw(2, qs.get(1)));
    }

    @Test
    void hellaswagPreprocessingAsLmEval() throws Exception {
        Path f = file("hs.jsonl",
                "{\"ind\": 24, \"activity_label\": \"Roof shingle removal\", \"ctx_a\": \"A man is sitting on a roof.\", \"ctx_b\": \"he\", "
                        + "\"endings\": [\"is using wrap to wrap a pair of skis.\", \"is ripping level tiles off.\", \"is holding a rubik's cube.\", "
                        + "\"starts pulling up roofing on a roof.\"], \"label\": \"3\"}",
                "{\"activity_label\": \"Health\", \"ctx_a\": \"[header] How to stay calm [title] Breathe slowly.\", \"ctx_b\": \"[step] Count TO four.\", "
                        + "\"endings\": [\" [substeps] Hold it  [title] for a while.  \", \"Run.\"], \"label\": 0}");
        List<Question> qs = TaskFile.read("hellaswag", f);
        assertEquals("Roof shingle removal: A man is sitting on a roof. He", qs.get(0).text());
        assertEquals(3, qs.get(0).gold());
        // strings as Python's preprocess gives them (checked with Python: capitalize lowers the rest)
        assertEquals("Health: How to stay calm. Breathe slowly. count to four.", qs.get(1).text());
        assertEquals(" Hold it . for a while.", qs.get(1).choices().get(0));
    }

    @Test
    void badRecordsAreRefusedInOneLine() throws Exception {
        EvalException missing = assertThrows(EvalException.class, () -> TaskFile.read("arc_easy",
                file("m.jsonl", "{\"question\": \"Q?\", \"choices\": {\"text\": [\"a\"], \"label\": [\"A\"]}}")));
        assertTrue(missing.getMessage().contains("m.jsonl:1") && missing.getMessage().contains("'answerKey'"), missing.getMessage());
        EvalException key = assertThrows(EvalException.class, () -> TaskFile.read("arc_easy",
                file("k.jsonl", "", "{\"question\": \"Q?\", \"choices\": {\"text\": [\"a\", \"b\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"E\"}")));
        assertTrue(key.getMessage().contains("k.jsonl:2") && key.getMessage().contains("'E' is not among"), key.getMessage());
        EvalException gold = assertThrows(EvalException.class, () -> TaskFile.read("multiple_choice",
                file("g.jsonl", "{\"query\": \"Q\", \"choices\": [\"a\", \"b\"], \"gold\": 2}")));
        assertTrue(gold.getMessage().contains("there are 2 choices"), gold.getMessage());
        EvalException answer = assertThrows(EvalException.class, () -> TaskFile.read("multiple_choice",
                file("a.jsonl", "{\"question\": \"Q\", \"choices\": [\"a\", \"b\"], \"answer\": \"c\"}")));
        assertTrue(answer.getMessage().contains("'c' is not among the choices"), answer.getMessage());
        for (EvalException e : List.of(missing, key, gold, answer)) assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    /**
     * On stories260K: each choice's log-likelihood from the cached context equals the sum of the full causal
     * pass's log-probabilities over the continuation's tokens (within float rounding: the cache sums
     * attention in double); acc and acc_norm follow from those sums as computed by hand here; a prompt
     * longer than the model's context is refused in one line.
     */
    @Test
    void loglikelihoodsAndAccuraciesOnARealModel() throws Exception {
        Path dir = SharedModels.model("stories260K");
        Path f = file("mc.jsonl",
                "{\"query\": \"Once upon a time, there was a little\", \"choices\": [\"girl\", \"rock\", \"purple elephant that flew\"], \"gold\": 0}",
                "{\"query\": \"Lily went to the park. She saw a big\", \"choices\": [\"dog\", \"tree\"], \"answer\": \"tree\"}",
                "{\"query\": \"The sun was\", \"choices\": [\"hot\", \"very bright and warm today\"], \"answer\": 1}");
        List<Question> qs = TaskFile.read("multiple_choice", f);
        try (HfStoredModel m = HfStoredModel.open(dir)) {
            Transformer t = Transformer.of(m);
            Tokenizer tok = Tokenizers.fromDirectory(dir, m.config()).orElseThrow();
            MultipleChoice.Result r = MultipleChoice.score("multiple_choice", t, tok, qs, null, 0, 1, 256, ProgressSink.NONE,
                    Parallel.sequential());
            double hits = 0;
            double hitsNorm = 0;
            for (int i = 0; i < qs.size(); i++) {
                Question q = qs.get(i);
                double[] ll = r.loglikelihoods().get(i);
                for (int c = 0; c < q.choices().size(); c++) {
                    int[] ctx = tok.encode(q.text());
                    int[] whole = tok.encode(q.text() + " " + q.choices().get(c));
                    int[] all = new int[whole.length];
                    System.arraycopy(ctx, 0, all, 0, ctx.length);
                    System.arraycopy(whole, ctx.length, all, ctx.length, whole.length - ctx.length);
                    float[] logits = t.logits(all, 0, all.length, Parallel.sequential());
                    double sum = 0;
                    for (int p = ctx.length; p < all.length; p++) sum += MultipleChoice.logProb(logits, all.length, p - 1, all[p]);
                    assertEquals(sum, ll[c], 1e-3, "question " + i + " choice " + c);
                }
                int best = 0;
                int bestNorm = 0;
                for (int c = 1; c < ll.length; c++) {
                    if (ll[c] > ll[best]) best = c;
                    if (ll[c] / q.choices().get(c).length() > ll[bestNorm] / q.choices().get(bestNorm).length()) bestNorm = c;
                }
                hits += best == q.gold() ? 1 : 0;
                hitsNorm += bestNorm == q.gold() ? 1 : 0;
            }
            assertEquals(hits / 3, r.acc(), 1e-12);
            assertEquals(hitsNorm / 3, r.accNorm(), 1e-12);
            double p = r.acc();
            assertEquals(Math.sqrt(p * (1 - p) * 3 / 2) / Math.sqrt(3), r.accStderr(), 1e-12, "sample sd over sqrt(n)");
            EvalException tooLong = assertThrows(EvalException.class, () -> MultipleChoice.score("multiple_choice", t, tok, qs,
                    null, 0, 1, 8, ProgressSink.NONE, Parallel.sequential()));
            assertTrue(tooLong.getMessage().contains("mc.jsonl:1") && tooLong.getMessage().contains("the model takes 8"),
                    tooLong.getMessage());
        }
    }
}
