package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SyntheticModel;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path tmp;

    @Test
    void listsStoriesTensorsWithShapesAndClasses() throws IOException {
        for (String name : new String[] {"stories260K", "stories260K-bf16"}) {
            Cli r = Cli.run("inspect", "--json", SharedModels.model(name).toString());
            assertEquals(0, r.exit(), r.toString());
            JsonNode root = new ObjectMapper().readTree(r.out());
            JsonNode tensors = root.get("tensors");
            assertEquals(48, tensors.size());
            assertEquals("LlamaForCausalLM", root.get("config").get("architecture").asText());
            int down = 0;
            for (JsonNode t : tensors) {
                String n = t.get("name").asText();
                if (n.endsWith("down_proj.weight")) {
                    down++;
                    assertEquals("mlp_down", t.get("class").asText());
                    assertEquals("[64,172]", t.get("shape").toString());
                }
                if (n.equals("model.embed_tokens.weight")) assertEquals("embedding", t.get("class").asText());
                if (n.equals("lm_head.weight")) assertEquals("lm_head", t.get("class").asText());
                if (n.endsWith("k_proj.weight")) assertEquals("[32,64]", t.get("shape").toString());
                if (n.endsWith("norm.weight")) assertEquals("norm", t.get("class").asText());
                assertEquals(name.endsWith("bf16") ? "BF16" : "F32", t.get("dtype").asText());
            }
            assertEquals(5, down);
            assertEquals(292_800, root.get("totals").get("params").asLong());
        }
        Cli table = Cli.run("inspect", SharedModels.model("stories260K").toString());
        assertTrue(table.out().contains("model.layers.4.mlp.down_proj.weight") && table.out().contains("[64x172]"));
        assertTrue(table.out().contains("tied (lm_head.weight stored anyway)"));
    }

    @Test
    void badInputIsOneLineAndExit1() throws IOException {
        Cli missing = Cli.run("inspect", tmp.resolve("nope").toString());
        assertEquals(1, missing.exit());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("no such directory"));
        Path dir = tmp.resolve("m");
        SyntheticModel.write(SyntheticModel.llama(), dir);
        Path st = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(b, b.length - 10));
        Cli trunc = Cli.run("inspect", dir.toString());
        assertEquals(1, trunc.exit());
        assertTrue(trunc.err().contains("model.safetensors") && trunc.err().contains("beyond the data area"), trunc.err());
        assertEquals(1, trunc.err().strip().lines().count());
        Cli debug = Cli.run("inspect", "--debug", dir.toString());
        assertTrue(debug.err().contains("at dev.swan"), "stack trace with --debug");
    }

    @Test
    void usageErrorsExit2() {
        Cli r = Cli.run("inspect");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("MODEL_DIR"));
        assertEquals(2, Cli.run("no-such-command").exit());
        assertEquals(0, Cli.run("inspect", "--help").exit());
        assertEquals(0, Cli.run("--version").exit());
    }
}
