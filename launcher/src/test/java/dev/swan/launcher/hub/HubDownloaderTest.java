package dev.swan.launcher.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ProgressSink;
import dev.swan.testkit.SyntheticModel;
import dev.swan.toolkit.model.ModelFolder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
    private static final String COMMIT = FakeHub.COMMIT;

    @TempDir
    Path tmp;

    private FakeHub hub;
    private Map<String, byte[]> files;
    private List<String> log;

    @BeforeEach
    void serve() throws IOException {
        Path model = tmp.resolve("source");
        SyntheticModel.write(SyntheticModel.qwen3(), model);
        files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(model)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        files.put("README.md", "# not needed".getBytes(StandardCharsets.UTF_8));
        files.put("onnx/model.onnx", new byte[100]);
        hub = new FakeHub(files);
        log = hub.log;
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubSettings settings(Optional<String> token, boolean offline) {
        return new HubSettings(hub.endpoint(), tmp.resolve("cache"), token, offline);
    }

    private static String sha(String algorithm, byte[]... parts) {
        return FakeHub.sha(algorithm, parts);
    }

    private static String blobId(byte[] b) {
        return FakeHub.blobId(b);
    }

    private static boolean lfs(String name) {
        return FakeHub.lfs(name);
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
        hub.cutAfter = size / 3;
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
        assertTrue(log.contains("GET 127.0.0.1:" + hub.port() + "/cdn/model.safetensors bytes=" + kept + "-"),
                "asked for the rest only: " + log);
        // a server that ignores the range starts the file over, and the result is still whole
        Files.delete(snap.resolve("model.safetensors"));
        Path blob = repo().resolve("blobs").resolve(sha("SHA-256", files.get("model.safetensors")));
        Files.move(blob, part);
        try (var ch = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        hub.ignoreRange = true;
        snap = new HubDownloader(settings(Optional.empty(), false)).fetch("acme/tiny", ProgressSink.NONE);
        assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(snap.resolve("model.safetensors")));
    }

    @Test
    void aCorruptedFileIsRefusedAndDeleted() throws IOException {
        hub.corrupt = true;
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
