package dev.swan.toolkit.model;

import dev.swan.api.ModelFormatException;
import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorClass;
import dev.swan.toolkit.json.Json;
import dev.swan.toolkit.json.JsonParseException;
import dev.swan.toolkit.safetensors.SafetensorsFile;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorData;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face model directory opened for reading: {@code config.json}, the safetensors weights (one
 * {@code model.safetensors}, or shards listed by {@code model.safetensors.index.json}), and the side
 * files (generation config, tokenizer, chat template) that writers copy. Opening reads headers only.
 */
public final class ModelFolder implements ModelDir {
    private final Path dir;
    private final ModelConfig config;
    private final Map<String, Object> generationConfig;
    private final List<SafetensorsFile> shards;
    private final Map<String, TensorInfo> tensors;
    private final Map<Path, SafetensorsFile> byFile;
    private final String displayName;

    private ModelFolder(Path dir, ModelConfig config, Map<String, Object> generationConfig,
                     List<SafetensorsFile> shards, Map<String, TensorInfo> tensors, String displayName) {
        this.displayName = displayName;
        this.dir = dir;
        this.config = config;
        this.generationConfig = generationConfig;
        this.shards = shards;
        this.tensors = tensors;
        this.byFile = new LinkedHashMap<>();
        for (SafetensorsFile s : shards) byFile.put(s.file(), s);
    }

    public static ModelFolder open(Path dir) {
        return open(dir, SafetensorsFile.DEFAULT_WINDOW_BYTES);
    }

    public static ModelFolder open(Path dir, long windowBytes) {
        Path folder = HubCache.resolveIfId(dir);
        ModelFolder m = openFolder(folder, windowBytes);
        if (folder == dir) return m;
        String given = dir.toString();
        return m.named(given.substring(given.indexOf('/') + 1).replaceAll("@.*", ""));
    }

    /** The same model under another name (a hub id's, not its snapshot hash), for default output names. */
    private ModelFolder named(String n) {
        return new ModelFolder(dir, config, generationConfig, shards, tensors, n);
    }

    private static ModelFolder openFolder(Path dir, long windowBytes) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, null, Files.exists(dir) ? "not a directory (give the model folder)"
                    : "no such directory");
        }
        ModelConfig config = new ModelConfig(dir.resolve(CONFIG), readJsonObject(dir.resolve(CONFIG), true));
        Map<String, Object> gen = Files.exists(dir.resolve("generation_config.json"))
                ? readJsonObject(dir.resolve("generation_config.json"), true) : Map.of();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Path index = dir.resolve(INDEX);
            if (Files.exists(index)) {
                openSharded(dir, index, windowBytes, opened, tensors);
            } else if (Files.exists(dir.resolve(SINGLE))) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(SINGLE), windowBytes);
                opened.add(f);
                tensors.putAll(f.tensors());
            } else {
                throw new ModelFormatException(dir, null, "no " + SINGLE + " and no " + INDEX
                        + ": not a Hugging Face safetensors model directory" + otherWeights(dir));
            }
            return new ModelFolder(dir, config, Collections.unmodifiableMap(gen), List.copyOf(opened),
                    Collections.unmodifiableMap(tensors), null);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static void openSharded(Path dir, Path index, long windowBytes, List<SafetensorsFile> opened,
                                    Map<String, TensorInfo> tensors) {
        Map<String, Object> idx = readJsonObject(index, false);
        Object wm = idx.get("weight_map");
        if (!(wm instanceof Map)) throw new ModelFormatException(index, "weight_map", "missing or not an object");
        Map<String, List<String>> namesByShard = new LinkedHashMap<>();
        Path root = dir.toAbsolutePath().normalize();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) wm).entrySet()) {
            String tensor = (String) e.getKey();
            if (!(e.getValue() instanceof String)) {
                throw new ModelFormatException(index, tensor, "weight_map value must be a shard file name");
            }
            String shard = (String) e.getValue();
            Path p = Path.of(shard);
            if (p.isAbsolute() || shard.startsWith("/") || shard.startsWith("\\")
                    || !root.resolve(p).normalize().startsWith(root) || shard.contains("..")) {
                throw new ModelFormatException(index, tensor, "shard path '" + shard
                        + "' escapes the model directory (only file names inside it are allowed)");
            }
            namesByShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(tensor);
        }
        for (Map.Entry<String, List<String>> e : namesByShard.entrySet()) {
            Path shardPath = dir.resolve(e.getKey());
            dev.swan.toolkit.io.InputFiles.requireRegular(shardPath);
            if (!Files.isRegularFile(shardPath)) {
                throw new ModelFormatException(index, e.getValue().get(0), "shard '" + e.getKey()
                        + "' named by the index does not exist (incomplete download?)");
            }
            SafetensorsFile f = SafetensorsFile.open(shardPath, windowBytes);
            opened.add(f);
            for (String name : e.getValue()) {
                TensorInfo ti = f.tensors().get(name);
                if (ti == null) {
                    throw new ModelFormatException(shardPath, name, "listed in " + INDEX
                            + " but absent from this shard");
                }
            }
            for (TensorInfo ti : f.tensors().values()) {
                if (tensors.put(ti.name(), ti) != null) {
                    throw new ModelFormatException(shardPath, ti.name(), "tensor appears in more than one shard");
                }
            }
        }
    }

    /** Reads a JSON file that must hold an object; errors name the file, line and column. */
    public static Map<String, Object> readJsonObject(Path file, boolean required) {
        String text;
        try {
            text = dev.swan.toolkit.io.InputFiles.readText(file, dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, null, required ? "missing (a Hugging Face model needs it)"
                    : "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, null, "cannot read: " + e.getMessage(), e);
        }
        try {
            Object v = Json.parse(text);
            if (!(v instanceof Map)) throw new ModelFormatException(file, null, "must hold a JSON object");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            String bad = nonFinite(m, "");
            if (bad != null) {
                throw new ModelFormatException(file, bad, "is not a finite number (1e400 and the like overflow a double): fix the value");
            }
            return m;
        } catch (JsonParseException e) {
            throw new ModelFormatException(file, null, "malformed JSON: " + e.getMessage());
        }
    }

    /** The key path of the first number JSON could not hold as a finite double, or null. */
    private static String nonFinite(Object v, String at) {
        if (v instanceof Double d && !Double.isFinite(d)) return at.isEmpty() ? "(value)" : at;
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String bad = nonFinite(e.getValue(), at.isEmpty() ? String.valueOf(e.getKey()) : at + "." + e.getKey());
                if (bad != null) return bad;
            }
        }
        if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String bad = nonFinite(l.get(i), at + "[" + i + "]");
                if (bad != null) return bad;
            }
        }
        return null;
    }

    @Override
    public Path path() {
        return dir;
    }

    /** Directory name, used as the model name in reports. */
    @Override
    public String name() {
        if (displayName != null) return displayName;
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? "model" : n.toString();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** {@code generation_config.json}, or an empty map when absent. */
    @Override
    public Map<String, Object> generationConfig() {
        return generationConfig;
    }

    /** Every tensor, shard by shard in data order. */
    @Override
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new ModelFormatException(dir, name, "no such tensor in this model");
        return t;
    }

    @Override
    public TensorData data(TensorInfo info) {
        SafetensorsFile f = byFile.get(info.file());
        if (f == null) throw new IllegalArgumentException(info.name() + " does not belong to " + dir);
        return f.data(info);
    }

    /**
     * The tensor's data through positional reads rather than a mapping: what a pass over a whole model
     * (analysis, writing an output) should use, so the process's resident memory does not grow with the
     * model (mapped pages stay resident until the garbage collector unmaps them).
     */
    @Override
    public TensorData stream(TensorInfo info) {
        SafetensorsFile f = byFile.get(info.file());
        if (f == null) throw new IllegalArgumentException(info.name() + " does not belong to " + dir);
        return f.stream(info);
    }

    @Override
    public TensorClass classOf(TensorInfo info) {
        return TensorClassifier.classify(info.name(), info.rank());
    }

    @Override
    public List<Path> shardFiles() {
        List<Path> out = new ArrayList<>();
        for (SafetensorsFile s : shards) out.add(s.file());
        return out;
    }

    @Override
    public Map<String, String> shardMetadata(Path shard) {
        SafetensorsFile f = byFile.get(shard);
        return f == null ? Map.of() : f.metadata();
    }

    /** Tokenizer files present in the directory, in {@link #TOKENIZER_FILES} order. */
    @Override
    public List<Path> tokenizerFiles() {
        List<Path> out = new ArrayList<>();
        for (String n : TOKENIZER_FILES) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) out.add(own(p));
        }
        return out;
    }

    /**
     * A file outputs may copy: the model's own, or a link into the Hugging Face cache's blobs of this
     * snapshot; a link elsewhere (another folder, a system file) would carry foreign data into outputs.
     */
    private Path own(Path p) {
        try {
            Path real = p.toRealPath();
            Path home = dir.toRealPath();
            boolean cached = home.getParent() != null && home.getParent().getFileName() != null
                    && home.getParent().getFileName().toString().equals("snapshots")
                    && real.startsWith(home.getParent().getParent().resolve("blobs"));
            if (real.startsWith(home) || cached) return p;
            throw new ModelFormatException(p, null, "is a link to " + real + ", outside the model folder: outputs copy only "
                    + "the model's own files (copy that file into the folder instead)");
        } catch (IOException e) {
            throw new ModelFormatException(p, null, "cannot resolve: " + e.getMessage(), e);
        }
    }

    /** Side files outputs copy verbatim: generation config and any {@code *.py} model code. */
    @Override
    public List<Path> sideFiles() {
        List<Path> out = new ArrayList<>();
        Path gen = dir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) out.add(own(gen));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.py")) {
            for (Path p : ds) if (Files.isRegularFile(p)) out.add(own(p));
        } catch (IOException e) {
            throw new ModelFormatException(dir, null, "cannot list: " + e.getMessage(), e);
        }
        Collections.sort(out);
        return out;
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    /** What to do when the folder holds weights in a format swan does not read (PyTorch pickles, GGUF). */
    private static String otherWeights(Path dir) {
        try (var files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            if (names.stream().anyMatch(n -> n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth"))) {
                return " (it has PyTorch weights, which swan does not read: save the model with safetensors, e.g. "
                        + "save_pretrained(dir, safe_serialization=True))";
            }
            if (names.stream().anyMatch(n -> n.endsWith(".gguf"))) {
                return " (it has a GGUF file: swan quantizes from the original safetensors checkpoint)";
            }
            return "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
