package dev.swan.launcher.pipeline;

import dev.swan.api.OutputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Nothing half-written: outputs are built under a temporary sibling name ({@code .name.swan-tmp}) and
 * moved into place only when complete; a failed write leaves no trace.
 */
public final class AtomicOutput {
    private AtomicOutput() {
    }

    /** The temporary sibling for {@code target}. */
    /** Held while a run builds {@code target}: a second run to the same output is refused, not interleaved. */
    public interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Locks {@code target} for this run ({@code .NAME.swan-lock} beside it, an OS file lock, so a killed run
     * never leaves it held); refused in one line while another run holds it.
     */
    public static Lock lock(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null) Files.createDirectories(parent);
        Path file = abs.resolveSibling("." + abs.getFileName() + ".swan-lock");
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held;
        try {
            held = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            ch.close();
            throw new OutputException(target, "another swan run is writing this output now (it holds " + file
                    + "): wait for it to finish, or choose another output");
        }
        java.nio.channels.FileLock lock = held;
        return () -> {
            try {
                lock.release();
            } finally {
                ch.close();
                Files.deleteIfExists(file);
            }
        };
    }

    public static Path temporaryFor(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".swan-tmp");
    }

    /**
     * Refuses an output that is, contains or sits inside {@code source} (replacing it would destroy the
     * weights being read), then an existing target unless {@code force}; creates the parent folder.
     */
    public static void prepare(Path target, Path source, boolean force) throws IOException {
        refuseOverlap(target, source);
        if (Files.exists(target) && !force) {
            throw new OutputException(target, "already exists: choose another output or pass --force to replace it");
        }
        Path parent = target.toAbsolutePath().normalize().getParent();
        if (parent != null) Files.createDirectories(parent);
        deleteRecursively(temporaryFor(target));
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
            } catch (IOException | RuntimeException e) {
                // writers may still be adding files while the JVM stops: the next run's prepare() finishes the job
            }
        }, "swan-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Cancels a {@link #deleteOnExit} once the output is committed or already deleted. */
    public static void keepOnExit(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is stopping: the hook runs anyway
        }
    }

    /** Moves the finished temporary output into place, replacing an existing target (already allowed by --force). */
    public static void commit(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.toAbsolutePath().normalize().resolveSibling("." + target.getFileName() + ".swan-old");
            deleteRecursively(old);
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) deleteRecursively(old);
    }

    public static void writeString(Path target, String content) throws IOException {
        Path tmp = temporaryFor(target);
        Path parent = tmp.getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
