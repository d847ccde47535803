package dev.swan.launcher.pipeline;

import dev.swan.api.OutputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Nothing half-written: outputs are built under a temporary sibling name ({@code .name.swan-tmp}) and
 * moved into place only when complete; a failed write leaves no trace.
 */
public final class AtomicOutput {
    private AtomicOutput() {
    }

    /** Held while a run builds {@code target}: a second run to the same output is refused, not interleaved. */
    public interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * The path an output is written to, fixed once before anything is touched: absolute, with {@code ..} and
     * the symbolic links of its existing part resolved ({@code p2/../p2} must not stop naming {@code p2} when
     * {@code p2} is moved aside).
     */
    public static Path resolve(Path target) throws IOException {
        // an empty path would resolve to the current folder
        if (target.toString().isEmpty()) {
            throw new dev.swan.api.ConfigException("command line", 0, 0, "-o '': an empty path names no output");
        }
        return real(target);
    }

    /**
     * Locks {@code target} for this run ({@code .NAME.swan-lock} beside it, an OS file lock, so a killed run
     * never leaves it held; the file is removed when the run ends, interrupted or not); refused in one line
     * while another run holds it.
     */
    public static Lock lock(Path target) throws IOException {
        Path abs = resolve(target);
        Path file = abs.resolveSibling("." + abs.getFileName() + ".swan-lock");
        for (int attempt = 0; ; attempt++) {
            FileChannel ch;
            try {
                Path parent = abs.getParent();
                if (parent != null) Files.createDirectories(parent);
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new OutputException(target, "cannot be written here (" + reason(e) + "); nothing was written", e);
            }
            FileLock held;
            try {
                held = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                held = null;
            }
            if (held == null) {
                ch.close();
                throw new OutputException(target, "another swan run is writing this output now: wait for it to "
                        + "finish, or choose another output");
            }
            // the previous holder deletes the file when it ends: a lock on a file no longer at the path is no lock
            byte[] token = (ProcessHandle.current().pid() + ":" + System.nanoTime() + ":" + attempt).getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(token), 0);
            if (!holdsPath(file, token)) {
                held.release();
                ch.close();
                if (attempt < 10) continue;
                throw new OutputException(target, "another swan run is writing this output now: wait for it to "
                        + "finish, or choose another output");
            }
            FileLock lock = held;
            Runnable release = () -> {
                try {
                    if (holdsPath(file, token)) Files.deleteIfExists(file);
                    lock.release();
                    ch.close();
                } catch (IOException | RuntimeException e) {
                    // the JVM is stopping or the folder is gone: the OS drops the lock with the process
                }
            };
            Thread hook = new Thread(release, "swan-unlock");
            Runtime.getRuntime().addShutdownHook(hook);
            return () -> {
                keepOnExit(hook);
                release.run();
            };
        }
    }

    private static boolean holdsPath(Path file, byte[] token) {
        try {
            return java.util.Arrays.equals(Files.readAllBytes(file), token);
        } catch (IOException e) {
            return false;
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The temporary sibling for {@code target}. */
    public static Path temporaryFor(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".swan-tmp");
    }

    /**
     * Refuses an output that is, contains or sits inside {@code source} (replacing it would destroy the
     * weights being read), then an existing target unless {@code force} allows replacing it and it is an
     * output of {@code kind} (or an empty folder): {@code --force} never replaces what swan did not write.
     * Finishes a swap an earlier run was stopped in, and creates the parent folder.
     */
    public static void prepare(Path target, Path source, boolean force, OutputKind kind) throws IOException {
        refuseOverlap(target, source);
        Path dest = resolve(target);
        Path old = oldFor(dest);
        if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
            // a run stopped between moving the old output aside and the new one in: put the old one back
            if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) Files.move(old, dest, StandardCopyOption.ATOMIC_MOVE);
            else deleteRecursively(old);
        }
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            if (!force) {
                throw new OutputException(target, "already exists: choose another output or pass --force to replace it");
            }
            if (!kind.mayReplace(dest)) {
                throw new OutputException(target, "exists and is not a " + kind.name() + " (" + describe(dest)
                        + "): --force replaces only an earlier output of the same kind; move it away or choose another output");
            }
        }
        Path parent = dest.getParent();
        if (parent != null) Files.createDirectories(parent);
        deleteRecursively(temporaryFor(dest));
        deleteCompanions(temporaryFor(dest));
    }

    private static String describe(Path p) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return Files.isSymbolicLink(p) ? "a symbolic link" : Files.isRegularFile(p) ? "a file" : "not a regular file";
        }
        try (java.util.stream.Stream<Path> s = Files.list(p)) {
            List<String> names = s.map(f -> f.getFileName().toString()).sorted().limit(4).toList();
            return "a folder holding " + String.join(", ", names.subList(0, Math.min(3, names.size())))
                    + (names.size() > 3 ? ", ..." : "");
        } catch (IOException e) {
            return "a folder";
        }
    }

    private static Path oldFor(Path dest) {
        return dest.resolveSibling("." + dest.getFileName() + ".swan-old");
    }

    /**
     * An output must never be its source model, contain it, or sit inside it: {@code --force} would then
     * replace or delete the files being read. Paths are compared after resolving symbolic links.
     */
    public static void refuseOverlap(Path target, Path source) throws IOException {
        if (source == null) return;
        Path src = real(source);
        Path out = real(target);
        String where = out.equals(src) ? "is the source model itself"
                : out.startsWith(src) ? "is inside the source model folder " + source
                : src.startsWith(out) ? "contains the source model " + source : null;
        if (where != null) {
            throw new OutputException(target, where + ": writing there would destroy the weights being read; "
                    + "choose an output outside the model folder");
        }
    }

    /** The path with every existing leading part resolved (symbolic links followed), the rest appended. */
    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return abs;
        return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
    }

    /**
     * Deletes {@code tmp} if the JVM is stopped (Ctrl-C, kill) before the output is committed, so an
     * interrupted run leaves no half-written output behind; undo with {@link #keepOnExit}.
     */
    public static Thread deleteOnExit(Path tmp) {
        Thread hook = new Thread(() -> {
            try {
                deleteRecursively(tmp);
                deleteCompanions(tmp);
            } catch (IOException | RuntimeException e) {
                // writers may still be adding files while the JVM stops: the next run's prepare() finishes the job
            }
        }, "swan-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Deletes the files a format wrote beside the temporary output {@code tmp} (named {@code tmp}'s name + more). */
    public static void deleteCompanions(Path tmp) throws IOException {
        Path dir = tmp.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) return;
        String prefix = tmp.getFileName() + ".";
        try (var s = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : s) deleteRecursively(p);
        }
    }

    /** Cancels a {@link #deleteOnExit} once the output is committed or already deleted. */
    public static void keepOnExit(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is stopping: the hook runs anyway
        }
    }

    /**
     * Moves the finished temporary output into place. An existing target (already allowed by {@link #prepare})
     * is swapped, not deleted first: it is moved aside, the new output moved in, and only then the old one
     * deleted; if the new one cannot be moved in, the old one is put back.
     */
    public static void commit(Path tmp, Path target) throws IOException {
        Path dest = resolve(target);
        Path old = null;
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            old = oldFor(dest);
            deleteRecursively(old);
            Files.move(dest, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            if (old != null) Files.move(old, dest, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        if (old != null) deleteRecursively(old);
    }

    /** Writes a small text output (a manifest, report, results) through a temporary sibling and {@link #commit}. */
    public static void writeString(Path target, String content) throws IOException {
        Path tmp = temporaryFor(resolve(target));
        Path parent = tmp.getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            commit(tmp, target);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            if (e instanceof java.nio.file.FileSystemException) throw e;
            throw new OutputException(target, "cannot write: " + e.getMessage() + "; nothing was written", e);
        }
    }

    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
