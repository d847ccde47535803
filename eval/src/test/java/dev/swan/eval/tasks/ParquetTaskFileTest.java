package dev.swan.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.eval.EvalException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task files in Parquet, as the Hugging Face hub stores allenai/ai2_arc and Rowan/hellaswag: the same questions
 * as the same records in JSON Lines. The files were written by DuckDB 1.5 (make-parquet.mjs beside them), an
 * independent writer: Snappy with data pages v1, pages v2 in one row group per row, uncompressed, zstd.
 */
class ParquetTaskFileTest {
    @TempDir
    Path tmp;

    private Path resource(String name) throws Exception {
        Path f = tmp.resolve(name);
        try (InputStream in = ParquetTaskFileTest.class.getResourceAsStream(name)) {
            Files.copy(in, f);
        }
        return f;
    }

    @Test
    void arcFromParquetEqualsArcFromJsonLines() throws Exception {
        Path jsonl = tmp.resolve("arc.jsonl");
        Files.write(jsonl, List.of(
                "{\"id\": \"a\", \"question\": \"Which is a gas?\", \"choices\": {\"text\": [\"ice\", \"steam\", \"rock\"], \"label\": [\"A\", \"B\", \"C\"]}, \"answerKey\": \"B\"}",
                "{\"id\": \"c\", \"question\": \"Which is hot?\", \"choices\": {\"text\": [\"sun\", \"snow\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}",
                "{\"id\": \"d\", \"question\": \"Which is a gas?\", \"choices\": {\"text\": [\"ice\", \"steam\", \"rock\"], \"label\": [\"A\", \"B\", \"C\"]}, \"answerKey\": \"C\"}"));
        List<Question> expected = texts(TaskFile.read("arc_challenge", jsonl));
        assertEquals(expected, texts(TaskFile.read("arc_challenge", resource("arc.parquet"))), "Snappy, pages v1, dictionaries");
        assertEquals(expected, texts(TaskFile.read("arc_challenge", resource("arc-v2.parquet"))), "pages v2, three row groups");
    }

    @Test
    void hellaswagFromParquetEqualsHellaswagFromJsonLines() throws Exception {
        Path jsonl = tmp.resolve("hs.jsonl");
        Files.write(jsonl, List.of(
                "{\"ind\": 24, \"activity_label\": \"Roof shingle removal\", \"ctx_a\": \"A man is sitting on a roof.\", \"ctx_b\": \"he\", "
                        + "\"endings\": [\"is using wrap to wrap a pair of skis.\", \"is ripping level tiles off.\", \"is holding a rubik's cube.\", "
                        + "\"starts pulling up roofing on a roof.\"], \"label\": \"3\"}",
                "{\"ind\": 25, \"activity_label\": \"Health\", \"ctx_a\": \"[header] How to stay calm [title] Breathe slowly.\", \"ctx_b\": \"[step] Count TO four.\", "
                        + "\"endings\": [\" [substeps] Hold it  [title] for a while.  \", \"Run.\"], \"label\": \"0\"}"));
        List<Question> fromParquet = TaskFile.read("hellaswag", resource("hellaswag.parquet"));
        assertEquals(texts(TaskFile.read("hellaswag", jsonl)), texts(fromParquet));
        assertEquals(3, fromParquet.get(0).gold());
        assertEquals(4, fromParquet.get(0).choices().size());
    }

    @Test
    void whatItCannotReadIsRefusedInOneLine() throws Exception {
        EvalException zstd = assertThrows(EvalException.class, () -> TaskFile.read("arc_easy", resource("arc-zstd.parquet")));
        assertTrue(zstd.getMessage().contains("arc-zstd.parquet") && zstd.getMessage().contains("zstd"), zstd.getMessage());
        Path cut = tmp.resolve("cut.parquet");
        byte[] whole = Files.readAllBytes(resource("arc.parquet"));
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 20));
        EvalException broken = assertThrows(EvalException.class, () -> TaskFile.read("arc_easy", cut));
        assertTrue(broken.getMessage().startsWith(cut + ": not a Parquet file swan can read"), broken.getMessage());
    }

    /** Damaged files (seeded byte changes and cuts) read or are refused in one line; nothing else escapes. */
    @Test
    void damagedFilesAreRefusedNotCrashedOn() throws Exception {
        java.util.Random r = new java.util.Random(7);
        for (String name : new String[] {"arc.parquet", "arc-v2.parquet", "hellaswag.parquet"}) {
            byte[] whole = Files.readAllBytes(resource(name));
            String task = name.startsWith("arc") ? "arc_challenge" : "hellaswag";
            for (int trial = 0; trial < Integer.getInteger("swan.parquet.trials", 300); trial++) {
                byte[] b = trial % 10 == 0 ? java.util.Arrays.copyOf(whole, r.nextInt(whole.length)) : whole.clone();
                for (int k = 0; k < 1 + r.nextInt(3) && trial % 10 != 0; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                Path f = tmp.resolve("damaged-" + trial + ".parquet");
                Files.write(f, b);
                try {
                    TaskFile.read(task, f);
                } catch (EvalException e) {
                    assertTrue(e.getMessage().contains(f.getFileName().toString()) && !e.getMessage().contains("\n"), e.getMessage());
                }
                Files.delete(f);
            }
        }
    }

    /** What a question is to the protocol: text, choices, gold (not where it was read). */
    private static List<Question> texts(List<Question> qs) {
        return qs.stream().map(q -> new Question(q.text(), q.choices(), q.gold(), "")).toList();
    }
}
