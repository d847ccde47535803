package dev.swan.launcher.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.swan.api.ProgressSink;
import dev.swan.launcher.pipeline.Json;
import dev.swan.toolkit.model.HubCache;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads a model from the Hugging Face hub into the standard hub cache, as huggingface_hub lays it out
 * ({@code models--owner--name/blobs/<etag>}, {@code snapshots/<commit>/<file>} linking to the blob,
 * {@code refs/<revision>} naming the commit), so huggingface_hub and mlx_lm find it too. Only what a
 * conversion reads: the top-level JSON files (config, tokenizer, index), the safetensors weights, and the
 * tokenizer's model, merges, vocabulary and chat-template files. Several files at once; a file interrupted
 * half-way resumes from its {@code .incomplete} blob with a range request; every file is checked against the
 * hub's hash (SHA-256 for weights, the git blob hash for small files) before it enters the snapshot.
 */
public final class HubDownloader {
    private static final int PARALLEL_FILES = 4;
    private static final int MAX_REDIRECTS = 10;

    private final HubSettings settings;
    private final HttpClient http;

    public HubDownloader(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** One file of a revision, as the hub's model info lists it. */
    record HubFile(String name, long size, String etag, boolean lfs) {
    }

    /**
     * The snapshot folder of {@code id} ({@code owner/name}, optionally {@code @revision}): the cached one
     * when it is complete, else downloaded (what an earlier run left is resumed).
     */
    public Path fetch(String id, ProgressSink progress) {
        String revision = "main";
        int at = id.indexOf('@');
        if (at > 0) {
            revision = id.substring(at + 1);
            id = id.substring(0, at);
        }
        Optional<Path> cached = cachedComplete(id, revision);
        if (cached.isPresent()) return cached.get();
        if (settings.offline()) {
            throw new HubException(id + ": not in the Hugging Face cache " + settings.cache() + " (or incomplete there), "
                    + "and HF_HUB_OFFLINE is set: unset it to download the model, or copy it into the cache");
        }
        JsonNode info = modelInfo(id, revision);
        String commit = info.path("sha").asText("");
        if (!commit.matches("[0-9a-f]{40}")) throw new HubException(id + ": the hub's answer names no commit for " + revision);
        List<HubFile> files = wanted(info);
        if (files.stream().noneMatch(f -> f.name().endsWith(".safetensors"))) {
            throw new HubException(id + "@" + revision + ": no safetensors weights in the repository (swan reads a Hugging "
                    + "Face safetensors model, or a GGUF file given by its path)");
        }
        Path repo = settings.cache().resolve("models--" + id.replace("/", "--"));
        Path snapshot = repo.resolve("snapshots").resolve(commit);
        try {
            Files.createDirectories(repo.resolve("blobs"));
            Files.createDirectories(snapshot);
            List<HubFile> missing = new ArrayList<>();
            for (HubFile f : files) if (!Files.exists(snapshot.resolve(f.name()))) missing.add(f);
            long total = 0;
            java.util.Set<String> counted = new java.util.HashSet<>();
            for (HubFile f : missing) if (counted.add(f.etag()) && !Files.isRegularFile(repo.resolve("blobs").resolve(f.etag()))) {
                total += f.size() - partial(repo, f);
            }
            long free = Files.getFileStore(repo.resolve("blobs")).getUsableSpace();
            if (total > free) {
                throw new HubException(settings.cache() + ": " + bytes(total) + " to download for " + id + " but only "
                        + bytes(free) + " free: free space, or set HF_HUB_CACHE to a larger disk");
            }
            download(id, commit, repo, snapshot, missing, total, progress);
            if (!revision.equals(commit)) {
                Files.createDirectories(repo.resolve("refs"));
                Files.writeString(repo.resolve("refs").resolve(revision), commit);
            }
        } catch (IOException e) {
            throw new HubException(settings.cache() + ": cannot write the hub cache: " + e.getMessage(), e);
        }
        return snapshot;
    }

    /** A snapshot already holding config.json and every weight file it names; empty otherwise. */
    private Optional<Path> cachedComplete(String id, String revision) {
        Path snap;
        try {
            snap = HubCache.resolve(id + (revision.equals("main") ? "" : "@" + revision), settings.cache());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(snap.resolve("config.json"))) return Optional.empty();
        if (Files.isRegularFile(snap.resolve("model.safetensors"))) return Optional.of(snap);
        Path index = snap.resolve("model.safetensors.index.json");
        if (!Files.isRegularFile(index)) return Optional.empty();
        try {
            JsonNode map = Json.MAPPER.readTree(index.toFile()).path("weight_map");
            for (JsonNode shard : map) if (!Files.isRegularFile(snap.resolve(shard.asText()))) return Optional.empty();
            return Optional.of(snap);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Files a conversion reads: top level only (no subfolders), the kinds mlx_lm.convert downloads. */
    static boolean wanted(String name) {
        if (name.contains("/")) return false;
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".json") || n.endsWith(".safetensors") || n.endsWith(".jinja") || n.endsWith(".tiktoken")
                || n.equals("tokenizer.model") || n.equals("merges.txt") || n.equals("vocab.txt");
    }

    private static List<HubFile> wanted(JsonNode info) {
        List<HubFile> out = new ArrayList<>();
        for (JsonNode s : info.path("siblings")) {
            String name = s.path("rfilename").asText("");
            if (!wanted(name)) continue;
            JsonNode lfs = s.path("lfs");
            if (lfs.isObject() && lfs.hasNonNull("sha256")) {
                out.add(new HubFile(name, lfs.path("size").asLong(s.path("size").asLong()), lfs.path("sha256").asText(), true));
            } else {
                String blob = s.path("blobId").asText("");
                if (!blob.matches("[0-9a-f]{40}")) throw new HubException(name + ": the hub's file list gives no blob id for it");
                out.add(new HubFile(name, s.path("size").asLong(-1), blob, false));
            }
        }
        return out;
    }

    private JsonNode modelInfo(String id, String revision) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + id + "/revision/" + encode(revision) + "?blobs=true");
        HttpResponse<byte[]> r;
        try {
            r = http.send(request(uri, true).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted while asking the hub about " + id, e);
        }
        refuse(r.statusCode(), r.headers().firstValue("X-Error-Code").orElse(""), id, revision, null);
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new HubException(uri + ": the hub's answer is not JSON: " + e.getMessage(), e);
        }
    }

    private HubException unreachable(IOException e) {
        return new HubException("cannot reach " + settings.endpoint() + " (" + e + "): check the network or HF_ENDPOINT, "
                + "or set HF_HUB_OFFLINE=1 to use the cache only", e);
    }

    /** The one line for a refusal: gated, private, missing, or a server error. */
    private void refuse(int status, String errorCode, String id, String revision, String file) {
        if (status >= 200 && status < 400) return;
        String what = file == null ? id : id + ": " + file;
        if (errorCode.equals("GatedRepo")) {
            throw new HubException(id + " is a gated model: accept its conditions on " + settings.endpoint() + "/" + id
                    + ", then log in ('hf auth login', or set HF_TOKEN)" + (settings.token().isPresent()
                    ? " (the token given has no access to it yet)" : ""));
        }
        if (status == 401 || status == 403) {
            throw new HubException(what + ": access refused (" + status + ")" + (settings.token().isPresent()
                    ? ": the token has no access to it (private or gated: check its page, or the token)"
                    : ": it is private or gated, or does not exist; log in ('hf auth login', or set HF_TOKEN)"));
        }
        if (status == 404) {
            throw new HubException(switch (errorCode) {
                case "RevisionNotFound" -> id + ": no revision '" + revision + "' on the hub";
                case "EntryNotFound" -> what + ": no such file in revision " + revision;
                default -> what + ": not found on the hub (check the name; private models need 'hf auth login')";
            });
        }
        throw new HubException(what + ": the hub answered " + status + " (try again later)");
    }

    private HttpRequest.Builder request(URI uri, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("User-Agent", "swan (java.net.http)");
        if (withToken && settings.token().isPresent()) b.header("Authorization", "Bearer " + settings.token().get());
        return b;
    }

    private void download(String id, String commit, Path repo, Path snapshot, List<HubFile> files, long total,
                          ProgressSink progress) throws IOException {
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        java.util.function.LongConsumer add = n -> {
            long now = done.addAndGet(n);
            double s = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
            progress.update(now, total, bytes(now) + " of " + bytes(total) + ", " + bytes((long) (now / s)) + "/s");
        };
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_FILES, files.size())), r -> {
            Thread t = new Thread(r, "swan-download");
            t.setDaemon(true);
            return t;
        });
        // one download per blob: files with the same content share it, as in huggingface_hub's cache
        Map<String, List<HubFile>> byBlob = new LinkedHashMap<>();
        for (HubFile f : files) byBlob.computeIfAbsent(f.etag(), k -> new ArrayList<>()).add(f);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<HubFile> same : byBlob.values()) running.add(pool.submit(() -> {
                fetchFile(id, commit, repo, snapshot, same.get(0), add);
                for (HubFile f : same.subList(1, same.size())) link(snapshot.resolve(f.name()), repo.resolve("blobs").resolve(f.etag()));
                return null;
            }));
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    stop(pool);
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    if (c instanceof IOException io) throw io;
                    throw new HubException(id + ": download failed: " + c, c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HubException("interrupted while downloading " + id + " (run again to resume)", e);
                }
            }
        } finally {
            stop(pool);
        }
    }

    /** Stops the other downloads and waits for them, so nothing writes the cache after a failure is reported. */
    private static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long partial(Path repo, HubFile f) {
        try {
            Path p = repo.resolve("blobs").resolve(f.etag() + ".incomplete");
            return Files.exists(p) ? Math.min(Files.size(p), f.size()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Downloads one file into its blob (resuming a partial one), checks its hash, and links it into the snapshot. */
    private void fetchFile(String id, String commit, Path repo, Path snapshot, HubFile f,
                           java.util.function.LongConsumer progress) throws IOException {
        Path blob = repo.resolve("blobs").resolve(f.etag());
        if (!Files.isRegularFile(blob) || Files.size(blob) != f.size()) {
            Path part = repo.resolve("blobs").resolve(f.etag() + ".incomplete");
            long have = Files.exists(part) ? Files.size(part) : 0;
            if (have > f.size()) {
                Files.delete(part);
                have = 0;
            }
            MessageDigest digest = digest(f);
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                have = hashExisting(out, have, digest);
                if (have < f.size() || f.size() < 0) {
                    URI uri = URI.create(settings.endpoint() + "/" + id + "/resolve/" + commit + "/" + encode(f.name()));
                    have = transfer(uri, id, f, out, have, digest, progress);
                }
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("No space left")) {
                    throw new HubException(blob.getParent() + ": disk full while downloading " + f.name()
                            + " (run again after freeing space: the download resumes)", e);
                }
                throw new HubException(id + ": " + f.name() + ": download stopped after " + bytes(Files.exists(part)
                        ? Files.size(part) : 0) + " of " + bytes(f.size()) + " (" + e.getMessage()
                        + "); run the same command again to resume", e);
            }
            if (f.size() >= 0 && have != f.size()) {
                throw new HubException(id + ": " + f.name() + ": got " + have + " bytes, the hub lists " + f.size()
                        + " (run again to resume)");
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (!got.equals(f.etag())) {
                Files.deleteIfExists(part);
                throw new HubException(id + ": " + f.name() + ": " + (f.lfs() ? "SHA-256 " : "git blob hash ") + got
                        + " is not the hub's " + f.etag() + ": the download was corrupted and is deleted; run again");
            }
            Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        link(snapshot.resolve(f.name()), blob);
    }

    /** Feeds the bytes a partial blob already holds to the digest; returns them (0 when unreadable). */
    private static long hashExisting(FileChannel in, long have, MessageDigest digest) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < have) {
            buf.clear();
            if (have - pos < buf.capacity()) buf.limit((int) (have - pos));
            int n = in.read(buf, pos);
            if (n < 0) break;
            digest.update(buf.array(), 0, n);
            pos += n;
        }
        in.truncate(pos);
        return pos;
    }

    private long transfer(URI uri, String id, HubFile f, FileChannel out, long have, MessageDigest digest,
                          java.util.function.LongConsumer progress) throws IOException {
        String host = settings.endpoint().getHost();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            // the token goes to the hub only, never to the storage it redirects to
            HttpRequest.Builder b = request(uri, host.equals(uri.getHost()));
            if (have > 0) b.header("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw unreachable(e);
            }
            int status = r.statusCode();
            if (status >= 300 && status < 400) {
                r.body().close();
                Optional<String> location = r.headers().firstValue("Location");
                if (location.isEmpty()) throw new HubException(uri + ": redirect without a Location");
                uri = uri.resolve(location.get());
                continue;
            }
            if (status == 416 && have == f.size()) {
                r.body().close();
                return have;
            }
            if (status != 200 && status != 206) {
                r.body().close();
                refuse(status, r.headers().firstValue("X-Error-Code").orElse(""), id, "", f.name());
            }
            if (status == 200 && have > 0) {
                // the server ignored the range: start over
                out.truncate(0);
                digest.reset();
                if (!f.lfs()) digest.update(("blob " + f.size() + "\0").getBytes(StandardCharsets.US_ASCII));
                progress.accept(-have);
                have = 0;
            }
            try (InputStream in = r.body()) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) out.write(bb, have + bb.position());
                    digest.update(buf, 0, n);
                    have += n;
                    progress.accept(n);
                }
            }
            return have;
        }
        throw new HubException(uri + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /** SHA-256 for large (LFS) files; git's blob hash (SHA-1 of "blob SIZE\0" + content) for the others. */
    private static MessageDigest digest(HubFile f) {
        try {
            if (f.lfs()) return MessageDigest.getInstance("SHA-256");
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + f.size() + "\0").getBytes(StandardCharsets.US_ASCII));
            return md;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The snapshot's entry as a relative link to the blob (as huggingface_hub makes it), a copy where links are refused. */
    private static void link(Path entry, Path blob) throws IOException {
        Files.createDirectories(entry.getParent());
        Files.deleteIfExists(entry);
        try {
            Files.createSymbolicLink(entry, entry.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob, entry, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String encode(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) parts.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
        return String.join("/", parts);
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1L << 20) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }
}
