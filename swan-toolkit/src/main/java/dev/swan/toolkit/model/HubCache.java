package dev.swan.toolkit.model;

import dev.swan.api.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Hugging Face model names ({@code Qwen/Qwen3-8B}) resolved in the local hub cache, laid out as the
 * huggingface_hub library writes it: {@code <cache>/models--Qwen--Qwen3-8B/refs/main} holds a commit hash,
 * {@code snapshots/<hash>/} the files (links into {@code blobs/}). The cache is {@code HF_HUB_CACHE}, else
 * {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. Nothing is downloaded here (the CLI's
 * commands download what the cache lacks).
 */
public final class HubCache {
    /** An id as the hub spells them: owner/name, optionally @revision (a branch, tag or commit). */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._/-]+)?");

    private HubCache() {
    }

    /** Whether {@code text} reads as a hub id rather than a path (and is no existing file or folder). */
    public static boolean looksLikeId(String text) {
        return ID.matcher(text).matches() && !Files.exists(Path.of(text));
    }

    /** {@code path} itself, or for a hub id its snapshot in the cache the environment names. */
    public static Path resolveIfId(Path path) {
        return looksLikeId(path.toString()) ? resolve(path.toString(), root(System.getenv())) : path;
    }

    /** The cache folder the environment names. */
    public static Path root(Map<String, String> env) {
        String hub = env.get("HF_HUB_CACHE");
        if (hub != null && !hub.isEmpty()) return Path.of(hub);
        String home = env.get("HF_HOME");
        if (home != null && !home.isEmpty()) return Path.of(home, "hub");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    /**
     * The snapshot folder of {@code id} in {@code cache}: the commit {@code refs/<revision>} names (main by
     * default), or the revision itself when it is a commit; refused in one line when the model is not there.
     */
    public static Path resolve(String id, Path cache) {
        return snapshot(id, cache, "models--", ": 'swan inspect " + id.replaceFirst("@.*", "")
                + "' (or quantize, analyze, eval) downloads it, as 'hf download " + id.replaceFirst("@.*", "") + "' does");
    }

    /** The snapshot folder of dataset {@code id} in {@code cache}, as {@link #resolve} finds a model's. */
    public static Path resolveDataset(String id, Path cache) {
        return snapshot(id, cache, "datasets--", ": download it with 'hf download " + id.replaceFirst("@.*", "")
                + " --repo-type dataset', or give the file");
    }

    private static Path snapshot(String id, Path cache, String prefix, String how) {
        String revision = "main";
        int at = id.indexOf('@');
        if (at > 0) {
            revision = id.substring(at + 1);
            id = id.substring(0, at);
        }
        Path repo = cache.resolve(prefix + id.replace("/", "--"));
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            throw new ModelFormatException(Path.of(id), null, "no such folder, and not in the Hugging Face cache "
                    + cache + how);
        }
        Optional<String> commit = ref(repo.resolve("refs").resolve(revision));
        Path snap = snapshots.resolve(commit.orElse(revision));
        if (Files.isDirectory(snap)) return snap;
        List<Path> all = new ArrayList<>();
        try (var ds = Files.list(snapshots)) {
            ds.filter(Files::isDirectory).forEach(all::add);
        } catch (IOException e) {
            throw new ModelFormatException(snapshots, null, "cannot list: " + e.getMessage());
        }
        if (at < 0 && commit.isEmpty() && all.size() == 1) return all.get(0); // a cache without refs (copied)
        throw new ModelFormatException(Path.of(id), null, "revision '" + revision + "' is not in the Hugging Face cache "
                + repo + " (snapshots there: " + all.size() + ")" + how);
    }

    private static Optional<String> ref(Path file) {
        try {
            if (!Files.isRegularFile(file)) return Optional.empty();
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            return s.matches("[0-9a-f]{7,64}") ? Optional.of(s) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
