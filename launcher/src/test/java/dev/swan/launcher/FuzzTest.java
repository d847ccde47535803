package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swan.testkit.SyntheticModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz campaign against the CLI, one family per kind of input: mutated safetensors headers and
 * data, configs, tokenizers, shard indexes, YAML pipelines, GGUF files and analysis journals. Every
 * mutant must end in success that {@code swan verify} confirms, or in one clean line (no "internal
 * error"), within a time bound, with nothing at the output path after a failure and the source files
 * untouched. {@code swan.fuzz.runs} mutants per family (8 in the normal build, 300 with -Pfuzz); the
 * figures go to {@code target/fuzz-report.md}.
 */
class FuzzTest {
    private static final int RUNS = Integer.getInteger("swan.fuzz.runs", 8);
    private static final long SEED = 20261201L;
    private static final long TIME_BOUND_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Outcome { REFUSED, VERIFIED, UNVERIFIABLE, INTERNAL, HANG, HALF_WRITTEN, SOURCE_TOUCHED }

    @TempDir
    Path tmp;

    private final Map<String, EnumMap<Outcome, Integer>> tally = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private ExecutorService runner = Executors.newSingleThreadExecutor(daemon());

    @AfterEach
    void stop() {
        runner.shutdownNow();
        System.clearProperty("swan.test.explodeAt");
    }

    @Test
    void everyMutantEndsCleanly() throws Exception {
        Random rnd = new Random(SEED);
        Path base = tmp.resolve("base");
        SyntheticModel.write(SyntheticModel.llama(), base);
        Path sharded = tmp.resolve("sharded");
        SyntheticModel.write(SyntheticModel.llama().withMaxShardBytes(200_000), sharded);
        for (int i = 0; i < RUNS; i++) {
            String fmt = i % 2 == 0 ? "mlx" : "gguf";
            boolean analyse = i % 4 == 3;
            quantizeMutant("safetensors header", base, fmt, analyse, rnd, (m, r) -> mutateHeader(m.resolve("model.safetensors"), r));
            quantizeMutant("safetensors data", base, fmt, analyse, rnd, (m, r) -> mutateData(m.resolve("model.safetensors"), r));
            quantizeMutant("config.json", base, fmt, analyse, rnd, (m, r) -> mutateJson(m.resolve("config.json"), r, CONFIG_KEYS));
            quantizeMutant("tokenizer files", base, fmt, false, rnd, this::mutateTokenizer);
            quantizeMutant("shard index", sharded, fmt, false, rnd,
                    (m, r) -> mutateJson(m.resolve("model.safetensors.index.json"), r, INDEX_KEYS));
            pipelineMutant(base, fmt, rnd);
        }
        ggufMutants(base, rnd);
        journalMutants(base, rnd);
        String report = report();
        Path out = Path.of("target", "fuzz-report.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        assertTrue(failures.isEmpty(), failures.size() + " mutant(s) did not end cleanly:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))) + "\n" + report);
    }

    interface Mutator {
        String mutate(Path model, Random rnd) throws IOException;
    }

    // ---------------------------------------------------------------- families run through quantize

    private void quantizeMutant(String family, Path base, String fmt, boolean analyse, Random rnd, Mutator mutator)
            throws Exception {
        Path dir = Files.createTempDirectory(tmp, "m");
        Path model = dir.resolve("model");
        copyTree(base, model);
        String what = mutator.mutate(model, new Random(rnd.nextLong()));
        String before = digest(model);
        Path out = dir.resolve(fmt.equals("gguf") ? "out.gguf" : "out");
        List<String> args = new ArrayList<>(List.of("quantize", model.toString(), "-o", out.toString(), "-f", fmt, "-q",
                "--self-calibrate", "0", "-t", "1"));
        if (!analyse) args.addAll(List.of("--uniform", fmt.equals("gguf") ? "Q8_0" : "4"));
        Outcome o = run(family, what, out, args, model);
        if (o == Outcome.VERIFIED) {
            Cli v = call(List.of("verify", out.toString(), "--source", model.toString()));
            if (v == null || v.exit() != 0) o = fail(family, what, Outcome.UNVERIFIABLE, v == null ? "verify hung" : v.err());
        }
        if (!digest(model).equals(before)) o = fail(family, what, Outcome.SOURCE_TOUCHED, "");
        count(family, o);
        AnalyzeAllocateTest.deleteTree(dir);
    }

    private void pipelineMutant(Path base, String fmt, Random rnd) throws Exception {
        String family = "YAML pipeline";
        Path dir = Files.createTempDirectory(tmp, "p");
        Path out = dir.resolve(fmt.equals("gguf") ? "out.gguf" : "out");
        String yaml = "model: " + base + "\noutput: " + out + "\nformat: " + fmt + "\nallocator:\n  id: uniform\n"
                + "  parameters: {bits: 8, group_size: 64}\nthreads: 1\nself_calibrate: 0\nseed: 7\n"
                + "metrics:\n  - id: svd\n    weight: 0.5\n  - id: kurtosis\n    weight: 0.5\n";
        Random r = new Random(rnd.nextLong());
        String[] lines = yaml.split("\n", -1);
        String what;
        int i = r.nextInt(lines.length - 1);
        switch (r.nextInt(7)) {
            case 0: {
                String v = pick(r, "-1", "0", "1e400", "[]", "{}", "~", "'x'", "true", "99999999999", "*x", "!!binary AAAA",
                        "!!python/object:os.system x", "&a 5");
                what = "value of line " + (i + 1) + " -> " + v;
                int colon = lines[i].indexOf(':');
                lines[i] = colon < 0 ? v : lines[i].substring(0, colon + 1) + " " + v;
                break;
            }
            case 1:
                what = "line " + (i + 1) + " deleted";
                lines[i] = "";
                break;
            case 2:
                what = "line " + (i + 1) + " duplicated";
                lines[i] = lines[i] + "\n" + lines[i];
                break;
            case 3:
                what = "line " + (i + 1) + " re-indented";
                lines[i] = " ".repeat(r.nextInt(5)) + lines[i].trim();
                break;
            case 4:
                what = "control byte in line " + (i + 1);
                lines[i] = lines[i] + (char) r.nextInt(32);
                break;
            case 5:
                what = "alias for the output";
                lines[0] = "model: &m " + base;
                lines[1] = "output: *m";
                break;
            default:
                what = "unknown key";
                lines[i] = "zzz_" + r.nextInt(100) + ": 1";
        }
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, String.join("\n", lines));
        String before = digest(base);
        Outcome o = run(family, what, out, List.of("run", p.toString(), "-q"), base);
        if (o == Outcome.VERIFIED && Files.exists(out)) {
            Cli v = call(List.of("verify", out.toString(), "--source", base.toString()));
            if (v == null || v.exit() != 0) o = fail(family, what, Outcome.UNVERIFIABLE, v == null ? "verify hung" : v.err());
        }
        if (!digest(base).equals(before)) o = fail(family, what, Outcome.SOURCE_TOUCHED, "");
        count(family, o);
        AnalyzeAllocateTest.deleteTree(dir);
    }

    // ---------------------------------------------------------------- GGUF files through verify and eval

    private void ggufMutants(Path base, Random rnd) throws Exception {
        String family = "GGUF file";
        Path good = tmp.resolve("good.gguf");
        Cli q = call(List.of("quantize", base.toString(), "-o", good.toString(), "--uniform", "Q8_0", "-q"));
        assertTrue(q != null && q.exit() == 0, String.valueOf(q));
        byte[] bytes = Files.readAllBytes(good);
        int headerEnd = headerEnd(bytes);
        Path ids = tmp.resolve("ids.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 48; i++) sb.append(1 + (i * 37) % 500).append(' ');
        Files.writeString(ids, sb.toString());
        for (int i = 0; i < RUNS * 2; i++) {
            Random r = new Random(rnd.nextLong());
            byte[] b = bytes.clone();
            String what;
            switch (r.nextInt(4)) {
                case 0: {
                    int n = 1 + r.nextInt(8);
                    for (int k = 0; k < n; k++) b[r.nextInt(headerEnd)] = (byte) r.nextInt(256);
                    what = n + " header byte(s) replaced";
                    break;
                }
                case 1: {
                    String key = pick(r, "llama.block_count", "llama.embedding_length", "llama.attention.head_count",
                            "llama.attention.head_count_kv", "llama.feed_forward_length", "general.alignment",
                            "llama.context_length", "llama.attention.layer_norm_rms_epsilon", "llama.rope.freq_base");
                    int at = indexOf(b, key.getBytes(StandardCharsets.US_ASCII));
                    int v = pickInt(r, 0, -1, 1 << 30, 3, 7, 1_000_000, 64, 0x7fc00000, 0x7f800000);
                    if (at >= 0) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at + key.length() + 4, v);
                    what = key + " -> " + v;
                    break;
                }
                case 2: {
                    int cut = r.nextInt(b.length);
                    b = java.util.Arrays.copyOf(b, cut);
                    what = "truncated at " + cut;
                    break;
                }
                default: {
                    int n = 1 + r.nextInt(64);
                    for (int k = 0; k < n; k++) b[headerEnd + r.nextInt(b.length - headerEnd)] = (byte) r.nextInt(256);
                    what = n + " data byte(s) replaced";
                }
            }
            Path m = tmp.resolve("mutant" + i + ".gguf");
            Files.write(m, b);
            Outcome o = run(family, what, null, List.of("verify", m.toString(), "--source", base.toString()), null);
            if (o == Outcome.VERIFIED) {
                // what verify accepts, eval must read without failing
                Outcome e = run(family, what + " (eval)", null, List.of("eval", m.toString(), "--ids", ids.toString(),
                        "--ctx", "16", "-q"), null);
                if (e != Outcome.VERIFIED && e != Outcome.REFUSED) o = e;
            }
            count(family, o);
            Files.delete(m);
        }
    }

    // ---------------------------------------------------------------- analysis journals

    private void journalMutants(Path base, Random rnd) throws Exception {
        String family = "analysis journal";
        Path reference = tmp.resolve("ref.json");
        String metrics = "svd=0.2,kurtosis=0.45,noise=0.15,recon=0.2,explode=0";
        Cli ok = call(List.of("analyze", base.toString(), "-o", reference.toString(), "--metrics", metrics, "-t", "1",
                "--self-calibrate", "0", "-q"));
        assertTrue(ok != null && ok.exit() == 0, String.valueOf(ok));
        String expected = decisions(reference);
        for (int i = 0; i < Math.max(4, RUNS / 2); i++) {
            Random r = new Random(rnd.nextLong());
            Path dir = Files.createTempDirectory(tmp, "j");
            Path manifest = dir.resolve("m.json");
            System.setProperty("swan.test.explodeAt", "layers.2.mlp");
            call(List.of("analyze", base.toString(), "-o", manifest.toString(), "--metrics", metrics, "-t", "1",
                    "--self-calibrate", "0", "-q"));
            System.clearProperty("swan.test.explodeAt");
            Path journal = dir.resolve("m.json.partial");
            List<String> lines = new ArrayList<>(Files.readAllLines(journal));
            String what;
            int at = 1 + r.nextInt(Math.max(1, lines.size() - 1));
            switch (r.nextInt(5)) {
                case 0: {
                    Matcher num = Pattern.compile("\"score\":([0-9.eE-]+)").matcher(lines.get(at));
                    what = "a score edited in record " + at;
                    if (num.find()) lines.set(at, lines.get(at).substring(0, num.start(1)) + "0.987654" + lines.get(at).substring(num.end(1)));
                    break;
                }
                case 1:
                    what = "record " + at + " cut short";
                    lines.set(at, lines.get(at).substring(0, lines.get(at).length() / 2));
                    break;
                case 2:
                    what = "garbage line";
                    lines.add(at, "{\"analysis\": 5}");
                    break;
                case 3:
                    what = "empty journal";
                    lines.clear();
                    break;
                default:
                    what = "header replaced";
                    lines.set(0, "[1,2,3]");
            }
            Files.write(journal, lines);
            Outcome o = run(family, what, manifest, List.of("analyze", base.toString(), "-o", manifest.toString(), "--metrics",
                    metrics, "-t", "1", "--self-calibrate", "0", "-q"), null);
            if (o == Outcome.VERIFIED && !decisions(manifest).equals(expected)) {
                o = fail(family, what, Outcome.UNVERIFIABLE, "resumed plan differs from an uninterrupted one");
            }
            count(family, o);
            AnalyzeAllocateTest.deleteTree(dir);
        }
    }

    private static String decisions(Path manifest) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var t : JSON.readTree(manifest.toFile()).get("tensors")) {
            sb.append(t.get("name").asText()).append('=').append(t.get("decision")).append(t.get("composite")).append('\n');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- running and judging

    /** Runs the CLI; exit 0 is VERIFIED for now (callers verify), a clean refusal REFUSED, anything else a failure. */
    private Outcome run(String family, String what, Path out, List<String> args, Path source) throws Exception {
        Cli c = call(args);
        if (c == null) return fail(family, what, Outcome.HANG, String.join(" ", args));
        if (c.exit() == 0) {
            if (out != null && Files.exists(tempOf(out))) return fail(family, what, Outcome.HALF_WRITTEN, "temporary left");
            return Outcome.VERIFIED;
        }
        String first = c.err().lines().findFirst().orElse("");
        if (!first.startsWith("swan: ") || c.err().contains("internal error") || c.err().contains("\tat ")
                || (c.exit() != 1 && c.exit() != 2)) {
            return fail(family, what, Outcome.INTERNAL, "exit " + c.exit() + ": " + c.err().strip());
        }
        if (out != null && !args.get(0).equals("analyze") && (Files.exists(out) || Files.exists(tempOf(out)))) {
            return fail(family, what, Outcome.HALF_WRITTEN, first);
        }
        return Outcome.REFUSED;
    }

    private static Path tempOf(Path out) {
        return out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".swan-tmp");
    }

    /** The CLI in-process with a time bound; null when it did not finish (a hang). */
    private Cli call(List<String> args) throws Exception {
        Future<Cli> f = runner.submit(() -> Cli.run(args.toArray(new String[0])));
        try {
            return f.get(TIME_BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            runner.shutdownNow();
            runner = Executors.newSingleThreadExecutor(daemon());
            return null;
        }
    }

    private Outcome fail(String family, String what, Outcome o, String detail) {
        failures.add(o + " [" + family + "] " + what + ": " + detail.lines().findFirst().orElse(""));
        return o;
    }

    private void count(String family, Outcome o) {
        tally.computeIfAbsent(family, k -> new EnumMap<>(Outcome.class)).merge(o, 1, Integer::sum);
    }

    private String report() {
        StringBuilder sb = new StringBuilder("| family | inputs | clean refusals | accepted and verified | accepted, unverifiable "
                + "| internal errors | hangs | half-written | source touched |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<String, EnumMap<Outcome, Integer>> e : tally.entrySet()) {
            EnumMap<Outcome, Integer> t = e.getValue();
            int total = t.values().stream().mapToInt(Integer::intValue).sum();
            sb.append("| ").append(e.getKey()).append(" | ").append(total);
            for (Outcome o : Outcome.values()) sb.append(" | ").append(t.getOrDefault(o, 0));
            sb.append(" |\n");
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- mutators

    private static final List<String> CONFIG_KEYS = List.of("hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads", "num_key_value_heads", "head_dim", "vocab_size", "rms_norm_eps", "rope_theta",
            "tie_word_embeddings", "model_type", "architectures", "max_position_embeddings", "torch_dtype", "rope_scaling");
    private static final List<String> INDEX_KEYS = List.of("weight_map", "metadata");

    private static String mutateHeader(Path file, Random r) throws IOException {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        String what;
        switch (r.nextInt(6)) {
            case 0: {
                int k = 1 + r.nextInt(4);
                for (int i = 0; i < k; i++) b[r.nextInt(8 + (int) n)] = (byte) r.nextInt(256);
                Files.write(file, b);
                return k + " header byte(s) replaced";
            }
            case 1: {
                int cut = r.nextInt(b.length);
                Files.write(file, java.util.Arrays.copyOf(b, cut));
                return "truncated at " + cut;
            }
            case 2: {
                Matcher m = Pattern.compile("-?\\d+").matcher(header);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) spans.add(new int[] {m.start(), m.end()});
                int[] s = spans.get(r.nextInt(spans.size()));
                String v = pick(r, "-1", "0", "1e30", "99999999999", "1.5", "\"x\"", "null", "18446744073709551615");
                header = header.substring(0, s[0]) + v + header.substring(s[1]);
                what = "a number -> " + v;
                break;
            }
            case 3: {
                String v = pick(r, "I32", "U32", "F64", "U8", "BOOL", "XX", "F8_E4M3");
                header = header.replaceFirst("\"F32\"", "\"" + v + "\"");
                what = "a dtype -> " + v;
                break;
            }
            case 4: {
                header = header.replaceFirst("model\\.layers\\.1\\.self_attn\\.q_proj", pick(r, "model.layers.1.self_attn.qq_proj",
                        "model.layers.9.self_attn.q_proj", "", "../../q_proj"));
                what = "a tensor renamed";
                break;
            }
            default: {
                long len = pick(r, 0L, 1L, n - 1, n + 1, 1L << 40, -5L);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
                Files.write(file, b);
                return "header length -> " + len;
            }
        }
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + (b.length - 8 - (int) n)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(b, 8 + (int) n, b.length - 8 - (int) n);
        Files.write(file, out.array());
        return what;
    }

    private static String mutateData(Path file, Random r) throws IOException {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int start = 8 + (int) n;
        int k = 1 + r.nextInt(16);
        float v = pick(r, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, -3e38f, 1e-45f, 0f, 65505f);
        for (int i = 0; i < k; i++) {
            int at = start + 4 * r.nextInt((b.length - start) / 4);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, v);
        }
        Files.write(file, b);
        return k + " weight(s) -> " + v;
    }

    @SuppressWarnings("unchecked")
    private static String mutateJson(Path file, Random r, List<String> keys) throws IOException {
        if (r.nextInt(8) == 0) {
            byte[] b = Files.readAllBytes(file);
            int cut = r.nextInt(b.length);
            Files.write(file, java.util.Arrays.copyOf(b, cut));
            return file.getFileName() + " truncated at " + cut;
        }
        Map<String, Object> m = JSON.readValue(file.toFile(), Map.class);
        String key = keys.get(r.nextInt(keys.size()));
        Object target = m;
        if (key.equals("weight_map") && r.nextBoolean()) {
            Map<String, Object> wm = (Map<String, Object>) m.get("weight_map");
            String entry = new ArrayList<>(wm.keySet()).get(r.nextInt(wm.size()));
            Object v = pick(r, "../../../etc/passwd", "missing.safetensors", 5, null, "", "/dev/zero", "model.safetensors.index.json");
            if (v == null && r.nextBoolean()) wm.remove(entry);
            else wm.put(entry, v);
            Files.writeString(file, JSON.writeValueAsString(m));
            return "weight_map[" + entry + "] -> " + v;
        }
        int choice = r.nextInt(12);
        String raw = null;
        switch (choice) {
            case 0: m.remove(key); break;
            case 1: m.put(key, -1); break;
            case 2: m.put(key, 0); break;
            case 3: m.put(key, 3); break;
            case 4: raw = "1e400"; m.put(key, "__RAW__"); break;
            case 5: m.put(key, "x"); break;
            case 6: m.put(key, null); break;
            case 7: m.put(key, List.of()); break;
            case 8: m.put(key, Map.of()); break;
            case 9: m.put(key, true); break;
            case 10: m.put(key, 1L << 40); break;
            default: m.put(key, 7);
        }
        String text = JSON.writeValueAsString(target);
        if (raw != null) text = text.replace("\"__RAW__\"", raw);
        Files.writeString(file, text);
        return key + (choice == 0 ? " deleted" : " -> " + (raw != null ? raw : String.valueOf(m.get(key))));
    }

    @SuppressWarnings("unchecked")
    private String mutateTokenizer(Path model, Random r) throws IOException {
        if (r.nextInt(4) == 0) {
            Path cfg = model.resolve("tokenizer_config.json");
            Map<String, Object> m = Files.exists(cfg) ? JSON.readValue(cfg.toFile(), Map.class) : new LinkedHashMap<>();
            String key = pick(r, "chat_template", "bos_token", "eos_token", "add_bos_token", "added_tokens_decoder");
            Object v = pick(r, 5, List.of(), null, Map.of("content", 5), "x", true);
            m.put(key, v);
            Files.writeString(cfg, JSON.writeValueAsString(m));
            return "tokenizer_config " + key + " -> " + v;
        }
        Path tj = model.resolve("tokenizer.json");
        Map<String, Object> t = JSON.readValue(tj.toFile(), Map.class);
        String key = pick(r, "added_tokens", "model.vocab", "model.merges", "model.type", "pre_tokenizer", "normalizer",
                "decoder", "model", "model.byte_fallback", "model.unk_token");
        Object v = pick(r, null, "x", List.of(List.of(1, 2)), 5, Map.of(), List.of("a b", 3), Map.of("a", "b"));
        Map<String, Object> owner = t;
        String leaf = key;
        if (key.startsWith("model.")) {
            owner = t.get("model") instanceof Map ? (Map<String, Object>) t.get("model") : t;
            leaf = key.substring(6);
        }
        if (v == null && r.nextBoolean()) owner.remove(leaf);
        else owner.put(leaf, v);
        Files.writeString(tj, JSON.writeValueAsString(t));
        return "tokenizer.json " + key + " -> " + v;
    }

    // ---------------------------------------------------------------- helpers

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }

    private static int pickInt(Random r, int... options) {
        return options[r.nextInt(options.length)];
    }

    private static int headerEnd(byte[] gguf) {
        // the tensor data starts after the last tensor name; a quarter of a small file is header enough
        return Math.min(gguf.length / 4, 64 * 1024);
    }

    /** Where {@code needle} first stands in {@code hay}, or -1. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    private static String digest(Path dir) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isRegularFile(f)) md.update(Files.readAllBytes(f));
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "fuzz-run");
            t.setDaemon(true);
            return t;
        };
    }
}
