package dev.swan.launcher.pipeline;

import dev.swan.api.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes an interrupted analysis resumable: every finished tensor is appended, as one JSON line, to
 * {@code <manifest>.partial} next to the output. A restart with the same output path reads it back and
 * skips those tensors, after checking that model, seed and metric set are the ones it was made with. A
 * line cut short by the interruption is ignored. Each line carries a SHA-256 of the run's identity and
 * the line, so an edited or foreign record is measured again instead of trusted.
 */
final class AnalysisJournal implements AutoCloseable {
    private final Path file;
    private final OutputStream out;
    private final Map<String, AnalysisEngine.Measured> done;
    private final String identityJson;
    private final int rejected;

    private AnalysisJournal(Path file, OutputStream out, Map<String, AnalysisEngine.Measured> done, String identityJson,
                            int rejected) {
        this.identityJson = identityJson;
        this.rejected = rejected;
        this.file = file;
        this.out = out;
        this.done = done;
    }

    static Path pathFor(Path manifest) {
        return manifest.resolveSibling(manifest.getFileName() + ".partial");
    }

    /**
     * @param identity what must match to resume (model fingerprint, seed, metric ids, versions, parameters)
     * @param restart  discard an existing journal instead of resuming
     */
    @SuppressWarnings("unchecked")
    static AnalysisJournal open(Path manifest, Map<String, Object> identity, boolean restart) throws IOException {
        Path file = pathFor(manifest);
        Map<String, AnalysisEngine.Measured> done = new LinkedHashMap<>();
        dev.swan.toolkit.io.InputFiles.requireRegular(file);
        String identityJson = Json.COMPACT.writeValueAsString(identity);
        int rejected = 0;
        if (Files.exists(file) && !restart) {
            // bytes that are no UTF-8 become U+FFFD: such a record fails its checksum and is measured again
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                String first = r.readLine();
                Map<String, Object> header = header(first, file);
                Object was = header.get("identity");
                Object now = Json.MAPPER.readValue(Json.COMPACT.writeValueAsString(identity), Json.MAP);
                if (!now.equals(was)) {
                    throw new ConfigException(file.toString(), 1, 0, "an interrupted analysis with a different "
                            + differs((Map<String, Object>) was, (Map<String, Object>) now)
                            + " is stored here: use --restart to discard it, or another output path");
                }
                String line;
                while ((line = r.readLine()) != null) {
                    String body = verified(line, identityJson);
                    if (body == null) {
                        rejected++;
                        continue;
                    }
                    try {
                        AnalysisEngine.Measured m = AnalysisEngine.Measured.fromJson(body, file.toString());
                        done.put(m.analysis().name(), m);
                    } catch (RuntimeException torn) {
                        break; // the line being written when the run stopped
                    }
                }
            }
            rewrite(file, identityJson, done);
        } else {
            rewrite(file, identityJson, done);
        }
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND);
        return new AnalysisJournal(file, out, done, identityJson, rejected);
    }

    /** The first line, when it is the header swan writes; a damaged or foreign file is refused in one line. */
    private static Map<String, Object> header(String first, Path file) {
        if (first == null) return Map.of();
        Map<String, Object> header;
        try {
            header = Json.MAPPER.readValue(first, Json.MAP);
        } catch (IOException | RuntimeException e) {
            header = null;
        }
        if (header == null || !(header.get("journal") instanceof String j) || !j.startsWith("swan-analysis/")) {
            throw new ConfigException(file.toString(), 1, 0, "not an analysis journal swan wrote (damaged, or another "
                    + "program's file): use --restart to discard it, or another output path");
        }
        return header;
    }

    private static String differs(Map<String, Object> was, Map<String, Object> now) {
        if (was == null) return "format";
        for (String k : new String[] {"fingerprint", "seed", "metrics"}) {
            if (!java.util.Objects.equals(was.get(k), now.get(k))) {
                return k.equals("fingerprint") ? "model (its weights changed)" : k.equals("seed") ? "seed"
                        : "metric set or parameters";
            }
        }
        return "configuration";
    }

    /** Rewrites the journal with only complete entries (drops a torn last line). */
    private static void rewrite(Path file, String identityJson, Map<String, AnalysisEngine.Measured> done)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"journal\":\"swan-analysis/2\",\"identity\":").append(identityJson).append("}\n");
        for (AnalysisEngine.Measured m : done.values()) sb.append(line(m, identityJson)).append('\n');
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String line(AnalysisEngine.Measured m, String identityJson) throws IOException {
        String body = m.toJson();
        return body.substring(0, body.length() - 1) + ",\"check\":\"" + sha256(identityJson + "\n" + body) + "\"}";
    }

    private static final int CHECK_TAIL = ",\"check\":\"\"}".length() + 64;

    /** The record without its checksum when the checksum holds for this run's identity, else null. */
    private static String verified(String line, String identityJson) {
        if (line.length() < CHECK_TAIL + 2 || !line.endsWith("\"}")) return null;
        int at = line.length() - CHECK_TAIL;
        if (!line.startsWith(",\"check\":\"", at)) return null;
        String body = line.substring(0, at) + "}";
        String sum = line.substring(at + ",\"check\":\"".length(), line.length() - 2);
        return sum.equals(sha256(identityJson + "\n" + body)) ? body : null;
    }

    private static String sha256(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(64);
            for (byte b : d) hex.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
            return hex.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Records that failed their checksum (edited, or from another run) and are measured again. */
    int rejected() {
        return rejected;
    }

    Map<String, AnalysisEngine.Measured> done() {
        return done;
    }

    /** Tensors kept so far: those resumed plus those appended by this run. */
    synchronized int count() {
        return done.size() + appended;
    }

    Path file() {
        return file;
    }

    private int appended;

    synchronized void append(AnalysisEngine.Measured m) {
        appended++;
        try {
            out.write((line(m, identityJson) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot append to " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
