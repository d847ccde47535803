package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swan eval} through the CLI on swan's own outputs: a model against itself has KL divergence 0, an F32
 * GGUF of the weights next to 0, and less precision costs more (Q8_0 < Q4_0 < 2-bit on stories260K, whose
 * 64-wide rows take no K-quant; Q8_0 < Q4_0 < Q2_K on the 256-aligned qwen3-gutenberg-4m); every bad input
 * is one line.
 */
class EvalCommandTest {
    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    private Path quantize(String model, String name, String... args) {
        Path out = tmp.resolve(name);
        List<String> a = new ArrayList<>(List.of("quantize", SharedModels.model(model).toString(), "-o", out.toString(), "-q"));
        a.addAll(List.of(args));
        Cli r = Cli.run(a.toArray(new String[0]));
        assertEquals(0, r.exit(), r.toString());
        return out;
    }

    private JsonNode eval(String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of("eval", "--json", "-q"));
        a.addAll(List.of(args));
        Cli r = Cli.run(a.toArray(new String[0]));
        assertEquals(0, r.exit(), r.toString());
        return JSON.readTree(r.out());
    }

    /** One bits-per-weight figure for one file: what quantize prints is what eval reports, in both formats. */
    @Test
    void quantizeAndEvalPrintTheSameBitsPerWeight() throws IOException {
        for (String format : new String[] {"gguf", "mlx"}) {
            Path out = tmp.resolve("bpw-" + format);
            Cli q = Cli.run("quantize", SharedModels.model("stories260K").toString(), "-o", out.toString(), "-f", format,
                    "--uniform", format.equals("gguf") ? "Q4_0" : "4");
            assertEquals(0, q.exit(), q.toString());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Bits/weight: ([0-9.]+)").matcher(q.out());
            assertTrue(m.find(), q.out());
            JsonNode doc = eval(out.toString(), "--text", SharedModels.eval("tinystories/tinystories-valid-excerpt.txt").toString(),
                    "--chunks", "1", "--ctx", "64");
            assertEquals(m.group(1), String.format(java.util.Locale.ROOT, "%.3f",
                    doc.get("models").get(0).get("bits_per_weight").asDouble()), format);
        }
    }

    static double kld(JsonNode doc, int model) {
        return doc.get("models").get(model).get("kld_mean").asDouble();
    }

    @Test
    void ownOutputsOnStories260KRankByPrecision() throws IOException {
        String src = SharedModels.model("stories260K").toString();
        String ids = SharedModels.eval("tinystories/tinystories-valid-excerpt.stories260K.ids").toString();
        Path f32 = quantize("stories260K", "f32.gguf", "-f", "gguf", "--uniform", "F32");
        Path q8 = quantize("stories260K", "q8.gguf", "-f", "gguf", "--uniform", "Q8_0");
        Path q4 = quantize("stories260K", "q4.gguf", "-f", "gguf", "--uniform", "Q4_0");
        Path mlx2 = quantize("stories260K", "mlx2", "--uniform", "2", "--group-size", "2=32");
        JsonNode doc = eval(f32.toString(), q8.toString(), q4.toString(), mlx2.toString(), src, "--base", src,
                "--ids", ids, "--ctx", "256");
        assertEquals(60 * 127, doc.get("scored").asInt());
        JsonNode base = doc.get("models").get(0);
        assertTrue(base.get("base").asBoolean());
        assertEquals(5.4280, base.get("ppl").asDouble(), 0.003);
        assertTrue(kld(doc, 1) < 1e-6, "F32 GGUF of the same weights: " + kld(doc, 1));
        assertTrue(kld(doc, 2) < kld(doc, 3) && kld(doc, 3) < kld(doc, 4), "Q8_0 < Q4_0 < 2-bit: " + doc);
        assertEquals(0.0, kld(doc, 5), 0.0, "the base against itself");
        assertEquals(1.0, doc.get("models").get(5).get("top1").asDouble(), 0.0);
        assertTrue(doc.get("models").get(3).get("bits_per_weight").asDouble() < doc.get("models").get(2).get("bits_per_weight").asDouble());
    }

    @Test
    void kQuantsOnTheAlignedModelRankByPrecisionAndTextEqualsIds() throws IOException {
        String src = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path q8 = quantize("qwen3-gutenberg-4m", "q8.gguf", "-f", "gguf", "--uniform", "Q8_0");
        Path q4 = quantize("qwen3-gutenberg-4m", "q4.gguf", "-f", "gguf", "--uniform", "Q4_0");
        Path q2 = quantize("qwen3-gutenberg-4m", "q2.gguf", "-f", "gguf", "--uniform", "Q2_K");
        JsonNode fromText = eval(q8.toString(), q4.toString(), q2.toString(), "--base", src, "--chunks", "12",
                "--text", SharedModels.eval("gutenberg/frankenstein-excerpt.txt").toString());
        assertTrue(kld(fromText, 1) < kld(fromText, 2) && kld(fromText, 2) < kld(fromText, 3), fromText.toString());
        JsonNode fromIds = eval(q4.toString(), "--base", src, "--chunks", "12",
                "--ids", SharedModels.eval("gutenberg/frankenstein-excerpt.qwen3-gutenberg-4m.ids").toString());
        assertEquals(fromText.get("models").get(2).get("kld_mean").asDouble(), kld(fromIds, 1), 0.0, "same ids either way");
        assertEquals(256, fromIds.get("ctx").asInt(), "default context: the model's maximum (256) below 512");
    }

    private Cli refused(String... args) {
        Cli r = Cli.run(args);
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!r.err().contains("internal error"), r.err());
        return r;
    }

    @Test
    void badInputIsOneLine() throws IOException {
        Path stories = SharedModels.model("stories260K");
        String text = SharedModels.eval("tinystories/tinystories-valid-excerpt.txt").toString();
        // an architecture the forward pass does not know
        Path gpt2 = copy(stories, "gpt2");
        ObjectNode cfg = (ObjectNode) JSON.readTree(gpt2.resolve("config.json").toFile());
        cfg.putArray("architectures").add("GPT2LMHeadModel");
        cfg.put("model_type", "gpt2");
        JSON.writeValue(gpt2.resolve("config.json").toFile(), cfg);
        assertTrue(refused("eval", gpt2.toString(), "--text", text).err().contains("'GPT2LMHeadModel'"));
        // a GGUF tensor type it cannot read (Q8_K, id 15: ggml's dot-product intermediate)
        Path q8 = quantize("stories260K", "q8.gguf", "-f", "gguf", "--uniform", "Q8_0");
        byte[] g = Files.readAllBytes(q8);
        byte[] name = "blk.0.attn_q.weight".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(g, name) + name.length + 4 + 2 * 8;
        g[at] = 15;
        Path iq = tmp.resolve("iq.gguf");
        Files.write(iq, g);
        assertTrue(refused("eval", iq.toString(), "--text", text).err().contains("unknown type id 15"));
        // a text the vocabulary cannot encode (no byte fallback, no unknown token)
        Path strict = copy(stories, "strict");
        ObjectNode tj = (ObjectNode) JSON.readTree(strict.resolve("tokenizer.json").toFile());
        ((ObjectNode) tj.get("model")).put("byte_fallback", false).putNull("unk_token");
        JSON.writeValue(strict.resolve("tokenizer.json").toFile(), tj);
        Path euro = tmp.resolve("euro.txt");
        Files.writeString(euro, "Once upon a time it cost 5 ü. ".repeat(200));
        assertTrue(refused("eval", strict.toString(), "--text", euro.toString()).err().contains("cannot encode 'ü'"));
        // a context beyond the model's maximum (512)
        Cli r = refused("eval", stories.toString(), "--text", text, "--ctx", "1024");
        assertTrue(r.err().contains("beyond the 512 positions") && r.err().contains("--ctx 512"), r.err());
        // a text too short, bytes that are not UTF-8, a missing model, and ids for text without a tokenizer
        Path shortText = tmp.resolve("short.txt");
        Files.writeString(shortText, "Once upon a time.");
        assertTrue(refused("eval", stories.toString(), "--text", shortText.toString()).err().contains("needs at least"));
        Path latin1 = tmp.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertTrue(refused("eval", stories.toString(), "--text", latin1.toString()).err().contains("not UTF-8 text (byte 3"));
        assertTrue(refused("eval", tmp.resolve("nope").toString(), "--text", text).err().contains("no such file"));
        Path noTok = copy(stories, "notok");
        Files.delete(noTok.resolve("tokenizer.json"));
        assertTrue(refused("eval", noTok.toString(), "--text", text).err().contains("--ids"));
        assertEquals(2, Cli.run("eval", stories.toString()).exit(), "--text or --ids is required");
    }

    private Path copy(Path dir, String name) throws IOException {
        Path out = tmp.resolve(name);
        Files.createDirectories(out);
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, out.resolve(f.getFileName()));
        }
        return out;
    }

    private static int indexOf(byte[] h, byte[] n) {
        outer:
        for (int i = 0; i + n.length <= h.length; i++) {
            for (int j = 0; j < n.length; j++) if (h[i + j] != n[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
