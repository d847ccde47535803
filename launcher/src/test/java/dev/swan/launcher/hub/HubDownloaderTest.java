package dev.swan.launcher.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.swan.api.ProgressSink;
import dev.swan.testkit.SyntheticModel;
import dev.swan.toolkit.model.ModelFolder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads against a local server that answers as the hub does: the model info API with the file list and
 * hashes ({@code /api/models/ID/revision/REV?blobs=true}), {@code /ID/resolve/COMMIT/FILE} answering small
 * files itself and redirecting weights to another host (the CDN) that honours range requests.
 */
class HubDownloaderTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private volatile int cutAfter = -1; // the CDN's next answer stops after this many bytes
    private volatile boolean corrupt;
    private volatile boolean ignoreRange;

    @BeforeEach
    void serve() throws IOException {
        Path model = tmp.resolve("source");
        SyntheticModel.write(SyntheticModel.qwen3(), model);
        try (Stream<Path> s = Files.list(model)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        files.put("README.md", "# not needed".getBytes(StandardCharsets.UTF_8));
        files.put("onnx/model.onnx", new byte[100]);
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI endpoint() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    private HubSettings settings(Optional<String> token, boolean offline) {
        return new HubSettings(endpoint(), tmp.resolve("cache"), token, offline);
    }

    private static String sha(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] p : parts) md.update(p);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String blobId(byte[] b) {
        return sha("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII), b);
    }

    private static boolean lfs(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".onnx");
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String range = x.getRequestHeaders().getFirst("Range");
        String auth = x.getRequestHeaders().getFirst("Authorization");
        log.add(x.getRequestMethod() + " " + x.getRequestHeaders().getFirst("Host") + path + (range == null ? "" : " " + range)
                + (auth == null ? "" : " auth"));
        try (x) {
            if (path.startsWith("/api/models/acme/gated/") || path.startsWith("/acme/gated/")) {
                x.getResponseHeaders().add("X-Error-Code", "GatedRepo");
                send(x, 401, "{\"error\":\"gated\"}".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/api/models/acme/tiny/revision/main")) {
                StringBuilder sib = new StringBuilder();
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    if (sib.length() > 0) sib.append(',');
                    sib.append("{\"rfilename\":\"").append(f.getKey()).append("\",\"size\":").append(f.getValue().length)
                            .append(",\"blobId\":\"").append(blobId(f.getValue())).append('"');
                    if (lfs(f.getKey())) {
                        sib.append(",\"lfs\":{\"sha256\":\"").append(sha("SHA-256", f.getValue())).append("\",\"size\":")
                                .append(f.getValue().length).append(",\"pointerSize\":134}");
                    }
                    sib.append('}');
                }
                send(x, 200, ("{\"id\":\"acme/tiny\",\"sha\":\"" + COMMIT + "\",\"siblings\":[" + sib + "]}")
                        .getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/api/models/")) {
                x.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
                send(x, 404, new byte[0]);
            } else if (path.startsWith("/acme/tiny/resolve/" + COMMIT + "/")) {
                String name = path.substring(("/acme/tiny/resolve/" + COMMIT + "/").length());
                byte[] b = files.get(name);
                if (b == null) {
                    send(x, 404, new byte[0]);
                } else if (lfs(name)) {
                    // weights live elsewhere: another host name for the same server
                    x.getResponseHeaders().add("Location", "http://127.0.0.1:" + server.getAddress().getPort() + "/cdn/" + name);
                    send(x, 302, new byte[0]);
                } else {
                    x.getResponseHeaders().add("ETag", "\"" + blobId(b) + "\"");
                    send(x, 200, b);
                }
            } else if (path.startsWith("/cdn/")) {
                byte[] b = files.get(path.substring(5)).clone();
                if (corrupt) b[b.length / 2] ^= 1;
                int from = range != null && !ignoreRange ? Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1")) : 0;
                if (from > 0) x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
                int cut = cutAfter;
                cutAfter = -1;
                x.sendResponseHeaders(from > 0 ? 206 : 200, b.length - from);
                OutputStream out = x.getResponseBody();
                out.write(b, from, cut >= 0 ? Math.min(cut, b.length - from) : b.length - from);
                out.flush();
                if (cut >= 0) {
                    throw new IOException("cut");
                }
            } else {
                send(x, 404, new byte[0]);
            }
        }
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) x.getResponseBody().write(body);
    }

    private Path repo() {
        return tmp.resolve("cache").resolve("models--acme--tiny");
    }

    @Test
    void downloadsWhatAConversionReadsIntoTheHubCacheLayout() throws IOException {
        List<Long> progress = Collections.synchronizedList(new ArrayList<>());
        Path snap = new HubDownloader(settings(Optional.of("secret"), false)).fetch("acme/tiny", (d, t, i) -> progress.add(d));
        assertEquals(repo().resolve("snapshots").resolve(COMMIT), snap);
        assertEquals(COMMIT, Files.readString(repo().resolve("refs").resolve("main")), "refs/main names the commit, no newline");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path entry = snap.resolve(f.getKey());
            if (f.getKey().equals("README.md") || f.getKey().contains("/")) {
                assertFalse(Files.exists(entry), f.getKey() + " is not read by a conversion");
                continue;
            }
            assertTrue(Files.isSymbolicLink(entry), f.getKey());
            String etag = lfs(f.getKey()) ? sha("SHA-256", f.getValue()) : blobId(f.getValue());
            assertEquals(Path.of("..", "..", "blobs", etag), Files.readSymbolicLink(entry), "as huggingface_hub links it");
            assertArrayEquals(f.getValue(), Files.readAllBytes(entry));
        }
        try (Stream<Path> blobs = Files.list(repo().resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        try (var m = ModelFolder.open(snap)) {
            assertEquals(files.get("model.safetensors").length, Files.size(m.shardFiles().get(0)));
        }
        assertFalse(progress.isEmpty());
        // the token goes to the hub, never to the host it redirects weights to
        assertTrue(log.stream().filter(l -> l.contains("/api/")).allMatch(l -> l.endsWith("auth")), log.toString());
        assertTrue(log.stream().filter(l -> l.contains("/cdn/")).noneMatch(l -> l.endsWith("auth")), log.toString());
        // complete in the cache: no request at all, online or offline
        log.clear();
        assertEquals(snap, new HubDownloader(settings(Optional.empty(), false)).fetch("acme/tiny", ProgressSink.NONE));
        assertEquals(snap, new HubDownloader(settings(Optional.empty(), true)).fetch("acme/tiny", ProgressSink.NONE));
        assertEquals(List.of(), log);
    }

    @Test
    void anInterruptedDownloadResumesWhereItStopped() throws IOException {
        int size = files.get("model.safetensors").length;
        cutAfter = size / 3;
        HubException stopped = assertThrows(HubException.class,
                () -> new HubDownloader(settings(Optional.empty(), false)).fetch("acme/tiny", ProgressSink.NONE));
        assertTrue(stopped.getMessage().contains("model.safetensors") && stopped.getMessage().contains("resume"), stopped.getMessage());
        Path part = repo().resolve("blobs").resolve(sha("SHA-256", files.get("model.safetensors")) + ".incomplete");
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < size, "kept " + kept);
        assertFalse(Files.exists(repo().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")));
        log.clear();
        Path snap = new HubDownloader(settings(Optional.empty(), false)).fetch("acme/tiny", ProgressSink.NONE);
        assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(snap.resolve("model.safetensors")));
        assertTrue(log.contains("GET 127.0.0.1:" + server.getAddress().getPort() + "/cdn/model.safetensors bytes=" + kept + "-"),
                "asked for the rest only: " + log);
        // a server that ignores the range starts the file over, and the result is still whole
        Files.delete(snap.resolve("model.safetensors"));
        Path blob = repo().resolve("blobs").resolve(sha("SHA-256", files.get("model.safetensors")));
        Files.move(blob, part);
        try (var ch = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        ignoreRange = true;
        snap = new HubDownloader(settings(Optional.empty(), false)).fetch("acme/tiny", ProgressSink.NONE);
        assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(snap.resolve("model.safetensors")));
    }

    @Test
    void aCorruptedFileIsRefusedAndDeleted() throws IOException {
        corrupt = true;
        HubException e = assertThrows(HubException.class,
                () -> new HubDownloader(settings(Optional.empty(), false)).fetch("acme/tiny", ProgressSink.NONE));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("corrupted"), e.getMessage());
        assertFalse(Files.exists(repo().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")));
        try (Stream<Path> blobs = Files.list(repo().resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.getFileName().toString().startsWith(sha("SHA-256", files.get("model.safetensors")))));
        }
    }

    @Test
    void gatedMissingAndOfflineAreOneLineEach() {
        HubException gated = assertThrows(HubException.class,
                () -> new HubDownloader(settings(Optional.empty(), false)).fetch("acme/gated", ProgressSink.NONE));
        assertTrue(gated.getMessage().contains("gated") && gated.getMessage().contains("hf auth login"), gated.getMessage());
        HubException missing = assertThrows(HubException.class,
                () -> new HubDownloader(settings(Optional.empty(), false)).fetch("acme/nothing", ProgressSink.NONE));
        assertTrue(missing.getMessage().contains("not found on the hub"), missing.getMessage());
        log.clear();
        HubException offline = assertThrows(HubException.class,
                () -> new HubDownloader(settings(Optional.empty(), true)).fetch("acme/tiny", ProgressSink.NONE));
        assertTrue(offline.getMessage().contains("HF_HUB_OFFLINE"), offline.getMessage());
        assertEquals(List.of(), log, "offline asks nothing");
        for (HubException e : List.of(gated, missing, offline)) assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void settingsReadTheVariablesHuggingfaceHubReads() throws IOException {
        Path home = tmp.resolve("hf");
        Files.createDirectories(home);
        Files.writeString(home.resolve("token"), "hf_file\n");
        HubSettings s = HubSettings.of(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", "http://mirror.local/",
                "HF_HUB_OFFLINE", "1"));
        assertEquals(URI.create("http://mirror.local"), s.endpoint());
        assertEquals(home.resolve("hub"), s.cache());
        assertEquals(Optional.of("hf_file"), s.token());
        assertTrue(s.offline());
        assertEquals(Optional.of("hf_env"), HubSettings.of(Map.of("HF_HOME", home.toString(), "HF_TOKEN", "hf_env")).token());
        assertEquals(URI.create("https://huggingface.co"), HubSettings.of(Map.of("HF_HOME", home.toString())).endpoint());
    }
}
