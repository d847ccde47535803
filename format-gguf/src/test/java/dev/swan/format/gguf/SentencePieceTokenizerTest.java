package dev.swan.format.gguf;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.OutputException;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorDecision;
import dev.swan.api.VerifyReport;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Optional;

import dev.swan.api.model.ModelDir;
import dev.swan.testkit.SyntheticModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SentencePiece tokenizer.model (protobuf) wins over tokenizer.json, as in convert (gguf-format §3.5). */
class SentencePieceTokenizerTest {
    @TempDir
    Path tmp;

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
        varint(o, (field << 3) | 2);
        varint(o, b.length);
        o.write(b, 0, b.length);
    }

    private static byte[] piece(String text, float score, int type) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        bytesField(p, 1, text.getBytes(StandardCharsets.UTF_8));
        varint(p, (2 << 3) | 5);
        int bits = Float.floatToIntBits(score);
        for (int i = 0; i < 4; i++) p.write(bits >>> (8 * i));
        varint(p, 3 << 3);
        varint(p, type);
        return p.toByteArray();
    }

    @Test
    void piecesScoresTypesAndDummyPrefixComeFromTheModel() throws IOException {
        Path dir = tmp.resolve("spm");
        SyntheticModel.write(SyntheticModel.llama(), dir);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        bytesField(m, 1, piece("<unk>", 0, 2));
        bytesField(m, 1, piece("<s>", 0, 3));
        bytesField(m, 1, piece("</s>", 0, 3));
        bytesField(m, 1, piece("<0x0A>", 0, 6));
        bytesField(m, 1, piece("\u2581the", -1.5f, 1));
        bytesField(m, 1, piece("\u2581a", -2.25f, 1));
        ByteArrayOutputStream norm = new ByteArrayOutputStream();
        varint(norm, 3 << 3);
        varint(norm, 0); // add_dummy_prefix: false
        bytesField(m, 3, norm.toByteArray());
        Files.write(dir.resolve("tokenizer.model"), m.toByteArray());
        try (ModelDir model = ModelFolder.open(dir)) {
            Map<String, GgufValue> kv = GgufTokenizer.build(model, GgufArch.LLAMA, 512);
            assertEquals("llama", kv.get("tokenizer.ggml.model").value());
            List<?> tokens = kv.get("tokenizer.ggml.tokens").list();
            assertEquals(512, tokens.size(), "padded to the embedding rows");
            assertEquals("\u2581the", tokens.get(4));
            assertEquals("[PAD6]", tokens.get(6));
            assertEquals(-2.25f, kv.get("tokenizer.ggml.scores").list().get(5));
            assertEquals(List.of(2, 3, 3, 6, 1, 1, 5), kv.get("tokenizer.ggml.token_type").list().subList(0, 7));
            assertEquals(false, kv.get("tokenizer.ggml.add_space_prefix").value());
            assertEquals(1L, kv.get("tokenizer.ggml.bos_token_id").value());
            assertEquals(true, kv.get("tokenizer.ggml.add_bos_token").value());
        }
    }

    private Path withPieces(String name, String... texts) throws IOException {
        Path dir = tmp.resolve(name);
        SyntheticModel.write(SyntheticModel.llama(), dir);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        bytesField(m, 1, piece("<unk>", 0, 2));
        bytesField(m, 1, piece("<s>", 0, 3));
        bytesField(m, 1, piece("</s>", 0, 3));
        for (String t : texts) bytesField(m, 1, piece(t, -1, 1));
        Files.write(dir.resolve("tokenizer.model"), m.toByteArray());
        return dir;
    }

    /** llama.cpp asserts one id per token text: a repeated piece is refused before writing, naming both ids. */
    @Test
    void aRepeatedPieceIsRefused() throws IOException {
        try (ModelDir model = ModelFolder.open(withPieces("dup", "\u2581a", "\u2581b", "\u2581a"))) {
            OutputException e = assertThrows(OutputException.class, () -> GgufTokenizer.build(model, GgufArch.LLAMA, 512));
            assertTrue(e.getMessage().contains("tokenizer.model: tokens 3 and 5 have the same text '\u2581a'"), e.getMessage());
        }
        try (ModelDir model = ModelFolder.open(withPieces("pad", "[PAD9]", "x"))) {
            assertThrows(OutputException.class, () -> GgufTokenizer.build(model, GgufArch.LLAMA, 512),
                    "a piece named like swan's padding collides with it");
        }
    }

    /** llama.cpp loads an empty piece as [EMPTY_id]: two of them are distinct, written, and verified. */
    @Test
    void emptyPiecesAreWrittenAndVerifiedAsLlamaCppLoadsThem() throws IOException {
        Path dir = withPieces("empty", "", "\u2581a", "");
        try (ModelDir model = ModelFolder.open(dir)) {
            GgufFormat gguf = new GgufFormat();
            Parameters p = Parameters.resolve("gguf", gguf.parameters(), Map.of(), "test");
            FormatContext ctx = new FormatContext(p, Parallel.sequential(), ProgressSink.NONE, "test");
            List<TensorDecision> d = new ArrayList<>();
            for (TensorInfo t : model.tensors()) d.add(new TensorDecision(t.name(), t.rank() == 2 ? 8 : 16, 0, "t", 0));
            Path out = tmp.resolve("e.gguf");
            gguf.write(model, new AllocationPlan("t", Map.of(), d), out, ctx);
            VerifyReport v = gguf.verify(out, Optional.of(model), ctx);
            assertTrue(v.ok(), v.problems().toString());
        }
        assertEquals("[EMPTY_7]", GgufVocabulary.loadedText("", 7));
        assertArrayEquals(new int[] {3, 5}, GgufVocabulary.firstDuplicate(List.of("a", "b", "c", "[EMPTY_5]", "d", "")));
    }
}
