package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import dev.swan.toolkit.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swan generate}: greedy and seeded sampling from any model swan reads, and its one-line refusals. */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    /** The sample stories260K's authors published, greedy from BOS, from the F32 folder and from a Q8_0 GGUF. */
    static final String SAMPLE = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

    @Test
    void greedyFromBosReproducesThePublishedSample() {
        String model = SharedModels.model("stories260K").toString();
        Cli f32 = Cli.run("generate", model, "-n", "40");
        assertEquals(0, f32.exit(), f32.toString());
        assertTrue(f32.out().startsWith(SAMPLE), f32.out());
        assertTrue(f32.err().contains("tokens/s"), f32.err());
        Path q8 = tmp.resolve("q8.gguf");
        assertEquals(0, Cli.run("quantize", model, "-o", q8.toString(), "--uniform", "Q8_0", "-q").exit());
        Cli gguf = Cli.run("generate", q8.toString(), "-n", "40");
        assertEquals(0, gguf.exit(), gguf.toString());
        assertTrue(gguf.out().startsWith(SAMPLE), gguf.out());
    }

    @Test
    void samplingIsSeeded() {
        String model = SharedModels.model("stories260K").toString();
        String[] args = {"generate", model, "-p", "Tom had a dog.", "-n", "30", "--temperature", "0.9", "--top-p", "0.95", "-q"};
        Cli a = Cli.run(concat(args, "--seed", "1"));
        Cli b = Cli.run(concat(args, "--seed", "1"));
        Cli c = Cli.run(concat(args, "--seed", "2"));
        assertEquals(0, a.exit(), a.toString());
        assertTrue(a.out().startsWith("Tom had a dog."), a.out());
        assertEquals(a.out(), b.out(), "same seed, same text");
        assertNotEquals(a.out(), c.out(), "another seed, another text");
    }

    @Test
    void badSettingsAreRefusedInOneLine() {
        String model = SharedModels.model("stories260K").toString();
        Cli t = Cli.run("generate", model, "--temperature", "-1");
        assertTrue(t.exit() != 0 && t.err().contains("--temperature must be 0 (greedy) or more"), t.err());
        Cli long_ = Cli.run("generate", model, "-p", "the dog ran. ".repeat(400));
        assertTrue(long_.exit() != 0 && long_.err().contains("shorten it"), long_.err());
        for (Cli c : new Cli[] {t, long_}) {
            assertTrue(c.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count() <= 2, c.err());
        }
    }

    /**
     * A chat template in the folder (and copied into the GGUF) wraps the prompt; the control tokens the
     * template writes (&lt;s&gt;, &lt;/s&gt;) are read as tokens, the text between them as text, nothing added.
     */
    @Test
    void chatTemplateWrapsThePromptInFolderAndGguf() throws Exception {
        Path dir = copyOf("qwen3-gutenberg-4m");
        Path config = dir.resolve("tokenizer_config.json");
        Map<String, Object> cfg = Json.parseObject(Files.readString(config));
        cfg.put("chat_template", "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content | trim }}{{ eos_token }}"
                + "{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}");
        Files.writeString(config, dev.swan.toolkit.json.JsonWriter.compact().write(cfg));
        Cli plain = Cli.run("generate", dir.toString(), "-p", "[user] Who are you?", "-n", "1", "--ignore-chat-template",
                "--verbose-prompt");
        assertEquals(0, plain.exit(), plain.toString());
        String userIds = ids(plain.err()).substring("[1, ".length(), ids(plain.err()).length() - 1);
        Cli chat = Cli.run("generate", dir.toString(), "-p", " Who are you? ", "--system-prompt", "Be brief.", "-n", "4",
                "--verbose-prompt");
        assertEquals(0, chat.exit(), chat.toString());
        assertTrue(chat.err().contains("<s>[system] Be brief.</s>[user] Who are you?</s>[assistant]"), chat.err());
        String ids = ids(chat.err());
        assertTrue(ids.startsWith("[1, ") && ids.contains(", 2, " + userIds + ", 2, "), ids + " / " + userIds);
        assertTrue(!chat.out().contains("Who are you"), "a chat prints the reply only: " + chat.out());
        Path gguf = tmp.resolve("chat.gguf");
        assertEquals(0, Cli.run("quantize", dir.toString(), "-o", gguf.toString(), "--uniform", "Q8_0", "-q").exit());
        Cli fromGguf = Cli.run("generate", gguf.toString(), "-p", " Who are you? ", "--system-prompt", "Be brief.", "-n", "4",
                "--verbose-prompt");
        assertEquals(ids, ids(fromGguf.err()), "the GGUF carries the template and the special tokens");
    }

    @Test
    void chatSettingsAreRefusedInOneLine() throws Exception {
        String stories = SharedModels.model("stories260K").toString();
        Cli noTemplate = Cli.run("generate", stories, "-p", "Hi", "--system-prompt", "Be brief.");
        assertTrue(noTemplate.exit() != 0 && noTemplate.err().contains("--system-prompt needs a chat template"), noTemplate.err());
        Path bad = tmp.resolve("bad.jinja");
        Files.writeString(bad, "{{ bos_token }}\n{% for m in messages %}{{ m.content }}");
        Cli syntax = Cli.run("generate", stories, "-p", "Hi", "--chat-template-file", bad.toString());
        assertTrue(syntax.exit() != 0 && syntax.err().contains("bad.jinja, chat template line 2: the template ends before {% else %} or {% endfor %}"),
                syntax.err());
        Cli config = Cli.run("generate", stories, "-p", "Hi", "--chat-template-file", bad.toString(), "--chat-template-config", "[1]");
        assertTrue(config.exit() != 0 && config.err().contains("--chat-template-config: not a JSON object"), config.err());
        for (Cli c : new Cli[] {noTemplate, syntax, config}) {
            assertTrue(c.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count() <= 2, c.err());
        }
    }

    private Path copyOf(String name) throws java.io.IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (var files = Files.list(SharedModels.model(name))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    private static String ids(String err) {
        return err.lines().filter(l -> l.startsWith("ids: ")).findFirst().orElseThrow(() -> new AssertionError(err)).substring(5);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
