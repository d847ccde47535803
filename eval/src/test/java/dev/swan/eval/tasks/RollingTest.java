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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WikiText as lm-evaluation-harness scores it: detokenized pages, rolling windows, word and byte perplexity. */
class RollingTest {
    @TempDir
    Path tmp;

    // a WikiText-2 page (the start of its first test article, with the constructs the detokenizer handles)
    static final String PAGE = " = Robert Boulter = \n \n Robert Boulter is an English film , television and theatre actor . He had a "
            + "guest @-@ starring role on the television series The Bill in 2000 . This was followed by a starring role in the "
            + "play Herons written by Simon Stephens , which was performed in 2001 at the Royal Court Theatre ( London ) . He "
            + "weighed 1 @,@ 234 @.@ 5 kg at 20 \u00b0 C ; the players ' \" best \" season 's N games . \n = = Career = = \n \n"
            + " = = = 2000 \u2013 2005 = = = \n";

    @Test
    void detokenizerWordsAndBytesAsLmEval() {
        // each value as Python ran lm-evaluation-harness' own functions on this page
        assertEquals(" = Robert Boulter =\n\nRobert Boulter is an English film, television and theatre actor. He had a guest-starring "
                + "role on the television series The Bill in 2000. This was followed by a starring role in the play Herons written "
                + "by Simon Stephens, which was performed in 2001 at the Royal Court Theatre (London). He weighed 1,234.5 kg at "
                + "20\u00b0C; the players'\"best\" season's 1 games.\n== Career ==\n\n=== 2000 \u2013 2005 ===\n", Wikitext.detokenize(PAGE));
        assertEquals(102, Wikitext.words(PAGE));
        assertEquals(454, Wikitext.bytes(PAGE));
    }

    @Test
    void pagesFromTheDocumentLevelDataset() throws Exception {
        Path f = tmp.resolve("wikitext.jsonl");
        Files.write(f, List.of("{\"page\": \"A b .\"}", "", "{\"page\": \"C d .\"}"));
        assertEquals(List.of("A b .", "C d ."), Wikitext.pages(f));
        Files.write(f, List.of("{\"text\": \"A\"}"));
        EvalException e = assertThrows(EvalException.class, () -> Wikitext.pages(f));
        assertTrue(e.getMessage().contains("wikitext.jsonl:1") && e.getMessage().contains("'page'"), e.getMessage());
    }

    /**
     * The windows: with a context as long as the document the log-likelihood is one pass from BOS; with a short
     * one, the sum over lm-evaluation-harness' windows (written out here: BOS + the first n−1 tokens, then each
     * next block of n predictions with the n tokens before it as input).
     */
    @Test
    void rollingWindowsAsLmEval() throws Exception {
        Path dir = SharedModels.model("stories260K");
        try (HfStoredModel m = HfStoredModel.open(dir)) {
            Transformer t = Transformer.of(m);
            Tokenizer tok = Tokenizers.fromDirectory(dir, m.config()).orElseThrow();
            String text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog.";
            int[] ids = tok.encode(text);
            ids = Arrays.copyOfRange(ids, 1, ids.length); // no BOS in the document's tokens
            int n = ids.length;
            int[] all = new int[n + 1];
            all[0] = tok.bos();
            System.arraycopy(ids, 0, all, 1, n);
            float[] logits = t.logits(all, 0, n, Parallel.sequential());
            double one = 0;
            for (int p = 0; p < n; p++) one += MultipleChoice.logProb(logits, n, p, ids[p]);
            Rolling.Result r = Rolling.score("text", t, tok, List.of(text), false, 512, ProgressSink.NONE, Parallel.sequential());
            assertEquals(one, r.loglikelihood(), 1e-6);
            assertEquals(n, r.tokens());
            // windows of 8: [BOS, t0..t6] → t0..t7; then inputs t(e-9)..t(e-2) → the last min(8, left) of t..e-1
            int w = 8;
            double expected = Rolling.window(t, concat(tok.bos(), Arrays.copyOf(ids, w - 1)), Arrays.copyOf(ids, w), Parallel.sequential());
            for (int done = w; done < n; ) {
                int pred = Math.min(n - done, w);
                int end = done + pred;
                expected += Rolling.window(t, Arrays.copyOfRange(ids, end - w - 1, end - 1), Arrays.copyOfRange(ids, end - pred, end),
                        Parallel.sequential());
                done = end;
            }
            Rolling.Result short8 = Rolling.score("text", t, tok, List.of(text), false, w, ProgressSink.NONE, Parallel.sequential());
            assertEquals(expected, short8.loglikelihood(), 1e-9);
            assertTrue(short8.loglikelihood() < r.loglikelihood(), "less context, lower likelihood");
            assertEquals(Math.exp(-r.loglikelihood() / Wikitext.words(text)), r.wordPerplexity(), 1e-9);
            assertEquals(-r.loglikelihood() / Wikitext.bytes(text) / Math.log(2), r.bitsPerByte(), 1e-12);
        }
    }

    private static int[] concat(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
