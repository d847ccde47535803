package dev.swan.launcher.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A local server that answers as the Hugging Face hub does for one model, {@code acme/tiny} at commit
 * {@link #COMMIT}: the model info API with the file list and hashes ({@code /api/models/ID/revision/REV?blobs=true}),
 * {@code /ID/resolve/COMMIT/FILE} answering small files itself and redirecting weights to another host name (the
 * CDN) that honours range requests; {@code acme/gated} answers 401 GatedRepo, anything else 404. It can cut the
 * next weight download short, corrupt weights, or ignore ranges, and logs every request.
 */
public final class FakeHub implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final Map<String, byte[]> files;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    volatile int cutAfter = -1; // the CDN's next answer stops after this many bytes
    volatile boolean corrupt;
    volatile boolean ignoreRange;
    private final HttpServer server;

    public FakeHub(Map<String, byte[]> files) throws IOException {
        this.files = files;
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    /** Every request so far: method, host and path, range, "auth" when a token came with it. */
    public List<String> requests() {
        return List.copyOf(log);
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String sha(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] p : parts) md.update(p);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String blobId(byte[] b) {
        return sha("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII), b);
    }

    static boolean lfs(String name) {
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
                    x.getResponseHeaders().add("Location", "http://127.0.0.1:" + port() + "/cdn/" + name);
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
}
