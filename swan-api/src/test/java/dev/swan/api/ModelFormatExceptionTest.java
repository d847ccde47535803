package dev.swan.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Errors quote names read from corrupt files: they must stay one readable line. */
class ModelFormatExceptionTest {
    @Test
    void controlCharactersAndBinaryAreEscaped() {
        String name = "blk.0\n\u0000attn\uFFFD\ud800x";
        ModelFormatException e = new ModelFormatException(Path.of("m.gguf"), name, "bad\rtype");
        assertEquals("m.gguf: blk.0\\u000A\\u0000attn\\uFFFD\\uD800x: bad\\u000Dtype", e.getMessage());
        assertEquals(name, e.item(), "the item itself is kept as read");
    }

    @Test
    void printableTextIsUnchangedIncludingNonLatinNames() {
        String name = "model.layers.0.mlp.gate_proj.weight (層) \ud83d\ude00";
        assertEquals("f: " + name + ": ok", new ModelFormatException(Path.of("f"), name, "ok").getMessage());
    }

    @Test
    void overlongTextIsCut() {
        String msg = new ModelFormatException(null, null, "x".repeat(100_000)).getMessage();
        assertTrue(msg.length() < ModelFormatException.MAX_SHOWN + 40, msg.length() + "");
        assertTrue(msg.endsWith("... (100000 characters)"), msg.substring(msg.length() - 40));
    }
}
