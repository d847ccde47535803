package dev.swan.spark;

import dev.swan.api.ConfigException;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.pipeline.AtomicOutput;
import dev.swan.toolkit.model.ModelFolder;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.toolkit.safetensors.StreamedTensorData;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * A model folder in a Hadoop file system ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code gs://},
 * {@code file:}, any scheme with a FileSystem on the class path), read without copying its weights: the
 * small files and each shard's safetensors header are mirrored into a local temporary folder, every shard
 * as a sparse file of its real length and modification time (so offsets, sizes and the fingerprint are the
 * remote's), and tensor data is read from the file system with positional reads. Closing it deletes the
 * mirror. Thread-safe for reading, as the file systems' positional reads are.
 */
final class HadoopModel implements ModelDir {
    /** Files other than shards up to this size are mirrored whole (config, index, tokenizer, ...). */
    private static final long SMALL_FILE = 64L << 20;

    private final String uri;
    private final Path root;
    private final ModelFolder local;
    private final FileSystem fs;
    private final org.apache.hadoop.fs.Path dir;
    private final Map<String, FSDataInputStream> streams = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private HadoopModel(String uri, Path root, ModelFolder local, FileSystem fs, org.apache.hadoop.fs.Path dir) {
        this.uri = uri;
        this.root = root;
        this.local = local;
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * Opens the model folder at {@code uri} with these Hadoop settings on top of the class path's
     * ({@code core-site.xml}); one line when the folder cannot be listed.
     */
    static HadoopModel open(String uri, Map<String, String> hadoop) {
        Configuration conf = new Configuration();
        hadoop.forEach(conf::set);
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs;
        try {
            fs = FileSystem.newInstance(dir.toUri(), conf);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("command line", 0, 0, uri + ": no Hadoop file system reads this URI (" + e.getMessage()
                    + "): put its connector on the class path (e.g. hadoop-aws for s3a://) and its settings in "
                    + "core-site.xml or spark.hadoop.* options");
        }
        Path root = null;
        try {
            root = Files.createTempDirectory("swan-remote-");
            String name = dir.getName().isEmpty() ? "model" : dir.getName();
            Path mirror = Files.createDirectory(root.resolve(name));
            mirror(fs, dir, mirror);
            return new HadoopModel(uri, root, ModelFolder.open(mirror), fs, dir);
        } catch (FileNotFoundException e) {
            cleanUp(fs, root);
            throw new ConfigException("command line", 0, 0, uri + ": no such folder");
        } catch (IOException e) {
            cleanUp(fs, root);
            throw new UncheckedIOException("cannot read the model folder " + uri, e);
        } catch (RuntimeException e) {
            cleanUp(fs, root);
            throw e;
        }
    }

    private static void mirror(FileSystem fs, org.apache.hadoop.fs.Path dir, Path mirror) throws IOException {
        for (FileStatus f : fs.listStatus(dir)) {
            if (!f.isFile()) continue;
            String name = f.getPath().getName();
            Path target = mirror.resolve(name);
            if (name.endsWith(".safetensors")) {
                mirrorShard(fs, f, target);
            } else if (f.getLen() <= SMALL_FILE) {
                try (InputStream in = fs.open(f.getPath())) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                continue; // a large side file (a .gguf, an archive): not needed to analyse
            }
            Files.setLastModifiedTime(target, FileTime.fromMillis(f.getModificationTime()));
        }
    }

    /** The shard's header, then nothing up to its length (a sparse file: no disk used for the weights). */
    private static void mirrorShard(FileSystem fs, FileStatus f, Path target) throws IOException {
        long len = f.getLen();
        byte[] head = new byte[(int) Math.min(len, 8)];
        try (FSDataInputStream in = fs.open(f.getPath())) {
            in.readFully(0, head);
            if (head.length == 8) {
                long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
                // a header the reader refuses is kept short: it names the problem itself
                long keep = n >= 0 && n <= SafetensorsFile.MAX_HEADER_BYTES ? Math.min(len, 8 + n) : 8;
                head = new byte[(int) keep];
                in.readFully(0, head);
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(len);
        }
    }

    private static void cleanUp(FileSystem fs, Path root) {
        try {
            fs.close();
        } catch (IOException ignored) {
            // nothing was read through it
        }
        if (root == null) return;
        try {
            AtomicOutput.deleteRecursively(root);
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    @Override
    public TensorData stream(TensorInfo info) {
        String shard = info.file().getFileName().toString();
        FSDataInputStream in = streams.computeIfAbsent(shard, n -> {
            try {
                return fs.open(new org.apache.hadoop.fs.Path(dir, n));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + uri + "/" + n, e);
            }
        });
        return new StreamedTensorData(info, (buf, pos) -> {
            int r = in.read(pos, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            if (r > 0) buf.position(buf.position() + r);
            return r;
        }, uri + "/" + shard);
    }

    /** Remote data is never mapped: the same positional reads as {@link #stream}. */
    @Override
    public TensorData data(TensorInfo info) {
        return stream(info);
    }

    @Override
    public String location() {
        return uri;
    }

    @Override
    public Path path() {
        return local.path();
    }

    @Override
    public String name() {
        return local.name();
    }

    @Override
    public ModelConfig config() {
        return local.config();
    }

    @Override
    public Map<String, Object> generationConfig() {
        return local.generationConfig();
    }

    @Override
    public List<TensorInfo> tensors() {
        return local.tensors();
    }

    @Override
    public TensorClass classOf(TensorInfo info) {
        return local.classOf(info);
    }

    @Override
    public List<Path> shardFiles() {
        return local.shardFiles();
    }

    @Override
    public Map<String, String> shardMetadata(Path shard) {
        return local.shardMetadata(shard);
    }

    @Override
    public List<Path> tokenizerFiles() {
        return local.tokenizerFiles();
    }

    @Override
    public List<Path> sideFiles() {
        return local.sideFiles();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (FSDataInputStream in : streams.values()) {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
        local.close();
        cleanUp(fs, root);
    }
}
