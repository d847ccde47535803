package dev.swan.eval.tokenizer;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.model.ModelDir;
import dev.swan.testkit.SyntheticModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-level BPE on a synthetic Qwen-style tokenizer.json (GPT-2 byte alphabet, Qwen2 split regex, NFC):
 * the split follows the regex alternatives (letters with one leading non-letter, single digits, runs of
 * newlines, spaces held back before a word), merges follow ranks, and any text (unicode, digits, spaces,
 * newlines, emoji) comes back unchanged. llama.cpp's own ids for the same tokenizer are compared in the
 * conformance suite.
 */
class ByteLevelBpeTest {
    @TempDir
    Path tmp;

    private Tokenizer qwen() throws Exception {
        SyntheticModel.write(SyntheticModel.qwen3(), tmp);
        try (ModelDir m = ModelFolder.open(tmp)) {
            return Tokenizers.fromDirectory(tmp, m.config()).orElseThrow();
        }
    }

    @Test
    void qwen2SplitFollowsTheRegexAlternatives() {
        var p = ByteLevel.compile(ByteLevel.QWEN2);
        assertEquals(List.of("Hello", " ", " world", "\n\n", " ", "1", "2", "3", "!"), ByteLevel.split(p, "Hello  world\n\n 123!"));
        assertEquals(List.of("I", "'m", " fine", ",", " café", "\t", " 東京", " 🙂"), ByteLevel.split(p, "I'm fine, café\t 東京 🙂"));
        assertEquals(List.of("x", "   \n", "y"), ByteLevel.split(p, "x   \ny"));
        var llama3 = ByteLevel.compile(ByteLevel.LLAMA3);
        assertEquals(List.of("12345".substring(0, 3), "45", " apples"), ByteLevel.split(llama3, "12345 apples"));
    }

    @Test
    void encodesWithoutBosAndRoundTrips() throws Exception {
        Tokenizer t = qwen();
        assertFalse(t.addsBos(), "Qwen adds no BOS");
        for (String s : List.of("Hello world", "the cat sat on the mat.\n\nAnd then?", "digits 0123456789 and 3.14",
                "  leading and trailing spaces  ", "tabs\tand\r\nwindows lines", "naïve café, 東京タワー, emoji 🙂🚀",
                "It's we'll THEY'RE", "")) {
            int[] ids = t.encode(s);
            assertEquals(s, t.decode(ids), "round trip of '" + s + "'");
            for (int id : ids) assertTrue(id >= 0 && id < t.vocabSize());
        }
    }

    @Test
    void mergesApplyByRank() throws Exception {
        Tokenizer t = qwen();
        // the synthetic vocabulary merges the space byte and the letters e, t, a, o, i with any letter after them
        assertEquals(2, t.encode("the").length, "th + e");
        assertEquals(3, t.encode("etetet").length, "et et et");
        assertEquals(4, t.encode(" eaeaea").length, "Ġe ae ae a: the leftmost of equal-rank merges first");
        // the space byte (Ġ) starts the second word's first token
        int[] two = t.encode(" e");
        assertEquals(" e", t.decode(two));
    }
}
