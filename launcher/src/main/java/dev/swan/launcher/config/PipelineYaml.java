package dev.swan.launcher.config;

import dev.swan.api.AllocationPolicy;
import dev.swan.api.ConfigException;
import dev.swan.api.ParameterSpec;
import dev.swan.api.Parameters;
import dev.swan.api.SwanPlugin;
import dev.swan.launcher.pipeline.MetricChoice;
import dev.swan.launcher.pipeline.PipelineSettings;
import dev.swan.launcher.pipeline.SettingOrigin;
import dev.swan.launcher.plugins.PluginRegistry;
import dev.swan.launcher.ui.Format;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.PatternSyntaxException;

/**
 * A YAML pipeline file, validated before any work starts: unknown keys, wrong types, unknown plugin ids,
 * bad plugin parameters, weights that do not sum to 1, impossible targets — each reported with its line,
 * column and the allowed values. Relative paths are relative to the file's folder.
 */
public final class PipelineYaml {
    static final Set<String> TOP = Set.of("model", "output", "format", "format_options", "metrics", "allocator",
            "target", "protected", "sensitive", "overrides", "group_sizes", "seed", "threads", "plugins", "self_calibrate");

    private final Path file;
    private final YamlNode root;
    private final String src;

    private PipelineYaml(Path file, YamlNode root) {
        this.file = file;
        this.root = root;
        this.src = file.toString();
    }

    /** Pipelines are a few kilobytes; the YAML parser is slow on huge inputs (a 1 MB comment takes seconds). */
    static final long MAX_BYTES = 128 << 10;

    public static PipelineYaml read(Path file) throws IOException {
        String text;
        try {
            text = dev.swan.toolkit.io.InputFiles.readText(file, MAX_BYTES);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), 0, 0, "no such pipeline file");
        }
        try (Reader r = new java.io.StringReader(text)) {
            YamlNode root = YamlReader.read(r, file.toString());
            if (!root.isMap()) throw new ConfigException(file.toString(), root.line(), root.column(),
                    "a pipeline must be a mapping of keys (" + String.join(", ", new java.util.TreeSet<>(TOP)) + ")");
            PipelineYaml y = new PipelineYaml(file, root);
            y.checkKeys(root, TOP, "top level");
            return y;
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), 0, 0, "no such pipeline file");
        }
    }

    /** Plugin folders named in the file (needed before plugins are loaded). */
    public List<Path> pluginDirs() {
        try {
            return pluginDirsChecked();
        } catch (ConfigException e) {
            throw located(e);
        }
    }

    private List<Path> pluginDirsChecked() {
        List<Path> out = new ArrayList<>();
        YamlNode n = root.map().get("plugins");
        if (n == null) return out;
        for (YamlNode p : list(n, "plugins")) out.add(path(p, "plugins[]"));
        return out;
    }

    /** Applies the file on top of {@code base}, checking plugin ids and parameters against {@code plugins}. */
    public PipelineSettings apply(PipelineSettings base, PluginRegistry plugins) {
        try {
            return applyChecked(base, plugins);
        } catch (ConfigException e) {
            throw located(e);
        }
    }

    /** A type error found deep in the tree (no file known there) gets this file's name. */
    private ConfigException located(ConfigException e) {
        return e.source() == null ? new ConfigException(src, e.line(), e.column(), e.problem()) : e;
    }

    private PipelineSettings applyChecked(PipelineSettings base, PluginRegistry plugins) {
        Map<String, YamlNode> m = root.map();
        PipelineSettings s = base.withSource(src);
        if (m.containsKey("model")) s = s.withModel(path(m.get("model"), "model"));
        if (m.containsKey("output")) s = s.withOutput(path(m.get("output"), "output"));
        if (m.containsKey("format") || m.containsKey("format_options")) {
            String id = m.containsKey("format") ? string(m.get("format"), "format") : s.format();
            if (!plugins.hasFormat(id)) {
                YamlNode at = m.getOrDefault("format", m.get("format_options"));
                throw err(at, "unknown format '" + id + "' (installed: " + ids(plugins.formats()) + ")");
            }
            Map<String, Object> opts = m.containsKey("format_options")
                    ? params(m.get("format_options"), plugins.format(id), "format_options") : s.formatOptions();
            s = s.withFormat(id, opts);
        }
        if (m.containsKey("metrics")) s = s.withMetrics(metrics(m.get("metrics"), plugins));
        if (m.containsKey("allocator")) {
            YamlNode a = m.get("allocator");
            String id;
            Map<String, Object> opts = Map.of();
            if (a.value() instanceof String) {
                id = (String) a.value();
            } else if (!a.isMap()) {
                throw err(a, "allocator must be an id (e.g. rd) or a mapping with 'id' and 'parameters', got " + describe(a));
            } else {
                checkKeys(a, Set.of("id", "parameters"), "allocator");
                id = string(require(a, "id", "allocator"), "allocator.id");
            }
            boolean auto = id.equals(PipelineSettings.AUTO_ALLOCATOR);
            if (auto && a.isMap() && a.map().containsKey("parameters")) {
                throw err(a.map().get("parameters"), "allocator 'auto' takes no parameters: name the allocator "
                        + "(rd, threshold, ...) whose parameters these are");
            }
            if (!auto && !plugins.hasAllocator(id)) {
                throw err(a, "unknown allocator '" + id + "' (installed: " + ids(plugins.allocators())
                        + ", or auto)");
            }
            if (a.isMap() && a.map().containsKey("parameters")) {
                opts = params(a.map().get("parameters"), plugins.allocator(id), "allocator.parameters");
            }
            s = s.withAllocator(id, opts);
        }
        s = s.withPolicy(policy(m, s.policy()));
        if (m.containsKey("target")) {
            // checked against the model's shapes later: keep where it was written
            YamlNode v = m.get("target").map().values().iterator().next();
            s = s.withTargetOrigin(new SettingOrigin(src, v.line(), v.column()));
        }
        if (m.containsKey("seed")) s = s.withSeed(integer(m.get("seed"), "seed"));
        if (m.containsKey("self_calibrate")) {
            long t = integer(m.get("self_calibrate"), "self_calibrate");
            if (t < 0 || t > 1_000_000) throw err(m.get("self_calibrate"), "self_calibrate must be 0 to 1000000 tokens, got " + t);
            s = s.withSelfCalibrate((int) t);
        }
        if (m.containsKey("threads")) {
            long t = integer(m.get("threads"), "threads");
            if (t < 1 || t > 1024) throw err(m.get("threads"), "threads must be between 1 and 1024, got " + t);
            s = s.withThreads((int) t);
        }
        if (m.containsKey("plugins")) s = s.withPluginDirs(pluginDirs());
        return s;
    }

    private List<MetricChoice> metrics(YamlNode n, PluginRegistry plugins) {
        List<MetricChoice> out = new ArrayList<>();
        double sum = 0;
        Set<String> seen = new java.util.HashSet<>();
        for (YamlNode e : list(n, "metrics")) {
            if (!e.isMap()) throw err(e, "each metric is a mapping with id, weight and optional parameters");
            checkKeys(e, Set.of("id", "weight", "parameters"), "metrics[]");
            YamlNode idNode = require(e, "id", "metrics[]");
            String id = string(idNode, "metrics[].id");
            if (!plugins.hasMetric(id)) throw err(idNode, "unknown metric '" + id + "' (installed: " + ids(plugins.metrics()) + ")");
            if (!seen.add(id)) throw err(idNode, "metric '" + id + "' is listed twice");
            YamlNode w = require(e, "weight", "metrics[]");
            double weight = number(w, "metrics[].weight");
            if (weight < 0) throw err(w, "weight must be >= 0, got " + weight);
            sum += weight;
            Map<String, Object> p = e.map().containsKey("parameters")
                    ? params(e.map().get("parameters"), plugins.metric(id), "metrics[].parameters") : Map.of();
            out.add(new MetricChoice(id, weight, p));
        }
        if (out.isEmpty()) throw err(n, "at least one metric is needed");
        if (Math.abs(sum - 1) > 1e-6) {
            throw err(n, "metric weights sum to " + Format.fixed(sum, 4) + ": they must sum to 1 "
                    + "(paper defaults: svd 0.20, kurtosis 0.45, noise 0.15, recon 0.20)");
        }
        return out;
    }

    /** Checks a plugin's parameters against its declarations, with the node's position on error. */
    private Map<String, Object> params(YamlNode n, SwanPlugin plugin, String what) {
        if (!n.isMap()) throw err(n, what + " must be a mapping of parameter: value");
        Map<String, ParameterSpec> specs = new LinkedHashMap<>();
        for (ParameterSpec p : plugin.parameters()) specs.put(p.name(), p);
        for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
            if (!specs.containsKey(e.getKey())) {
                int[] at = n.keyPosition(e.getKey());
                throw new ConfigException(src, at[0], at[1], "unknown parameter '" + e.getKey() + "' for '" + plugin.id()
                        + "' (allowed: " + (specs.isEmpty() ? "none" : String.join(", ", specs.keySet())) + ")");
            }
            try {
                Parameters.resolve(plugin.id(), plugin.parameters(), Map.of(e.getKey(), e.getValue().plain()), src);
            } catch (ConfigException bad) {
                String msg = bad.getMessage().substring(bad.getMessage().indexOf(": ") + 2);
                throw err(e.getValue(), msg);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) n.plain();
        return plain;
    }

    private AllocationPolicy policy(Map<String, YamlNode> m, AllocationPolicy base) {
        List<String> prot = m.containsKey("protected") ? patterns(m.get("protected"), "protected") : base.protectedPatterns();
        List<String> sens = m.containsKey("sensitive") ? patterns(m.get("sensitive"), "sensitive") : base.sensitivePatterns();
        List<AllocationPolicy.Override> ov = base.overrides();
        if (m.containsKey("overrides")) {
            ov = new ArrayList<>();
            for (YamlNode o : list(m.get("overrides"), "overrides")) {
                if (!o.isMap()) throw err(o, "each override is a mapping: pattern, bits (optional group_size) or type");
                checkKeys(o, Set.of("pattern", "bits", "group_size", "type"), "overrides[]");
                YamlNode pn = require(o, "pattern", "overrides[]");
                String pattern = string(pn, "overrides[].pattern");
                compile(pn, pattern);
                YamlNode tn = o.map().get("type");
                if (tn != null) {
                    if (o.map().containsKey("bits") || o.map().containsKey("group_size")) {
                        throw err(tn, "give bits (and group_size) or a type, not both");
                    }
                    ov.add(new AllocationPolicy.Override(pattern, 0, 0, string(tn, "overrides[].type")));
                    continue;
                }
                YamlNode bn = require(o, "bits", "overrides[]");
                int bits = (int) integer(bn, "overrides[].bits");
                YamlNode gn = o.map().get("group_size");
                int group = gn == null ? 0 : (int) integer(gn, "group_size");
                try {
                    ov.add(new AllocationPolicy.Override(pattern, bits, group));
                } catch (IllegalArgumentException e) { // the record's rule, located at the value it refused
                    throw err(e.getMessage().startsWith("group") ? gn : bn, e.getMessage());
                }
            }
        }
        Map<Integer, Integer> groups = new TreeMap<>(base.groupSizes());
        if (m.containsKey("group_sizes")) {
            YamlNode g = m.get("group_sizes");
            if (!g.isMap()) throw err(g, "group_sizes maps bits to a group size, e.g. {4: 128, 8: 64}");
            for (Map.Entry<String, YamlNode> e : g.map().entrySet()) {
                int bits;
                try {
                    bits = Integer.parseInt(e.getKey());
                } catch (NumberFormatException nf) {
                    throw err(e.getValue(), "group_sizes keys are bit widths (2, 3, 4, 5, 6, 8), got '" + e.getKey() + "'");
                }
                int group = (int) integer(e.getValue(), "group_size");
                try {
                    AllocationPolicy.checkGroupSize(bits, group);
                } catch (IllegalArgumentException x) {
                    throw err(e.getValue(), x.getMessage());
                }
                groups.put(bits, group);
            }
        }
        AllocationPolicy.Target target = base.target();
        if (m.containsKey("target")) {
            YamlNode t = m.get("target");
            if (!t.isMap() || t.map().size() != 1) throw err(t, "target is {bits: B} (effective bits per weight) or {size: 6.1GB}");
            checkKeys(t, Set.of("bits", "size"), "target");
            if (t.map().containsKey("bits")) {
                double b = number(t.map().get("bits"), "target.bits");
                if (!(b > 1 && b <= 32)) throw err(t.map().get("bits"), "target bits must be between 1 and 32, got " + b);
                target = AllocationPolicy.Target.bits(b);
            } else {
                YamlNode sz = t.map().get("size");
                try {
                    target = AllocationPolicy.Target.size(Format.parseSize(String.valueOf(sz.value())));
                } catch (NumberFormatException e) {
                    throw err(sz, "size must look like 6.1GB, 512MiB or a byte count, got " + sz.value());
                }
            }
        }
        return new AllocationPolicy(prot, sens, ov, groups, target);
    }

    private List<String> patterns(YamlNode n, String what) {
        List<String> out = new ArrayList<>();
        for (YamlNode p : list(n, what)) {
            String s = string(p, what + "[]");
            compile(p, s);
            out.add(s);
        }
        return out;
    }

    private void compile(YamlNode at, String regex) {
        try {
            java.util.regex.Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw err(at, "not a valid regular expression: " + e.getDescription());
        }
    }

    private void checkKeys(YamlNode n, Set<String> allowed, String where) {
        for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                int[] at = n.keyPosition(e.getKey());
                throw new ConfigException(src, at[0], at[1], "unknown key '" + e.getKey() + "' at " + where
                        + " (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private YamlNode require(YamlNode n, String key, String where) {
        YamlNode v = n.map().get(key);
        if (v == null) throw err(n, where + " needs '" + key + "'");
        return v;
    }

    private List<YamlNode> list(YamlNode n, String what) {
        if (!n.isList()) throw err(n, what + " must be a list");
        return n.list();
    }

    private String string(YamlNode n, String what) {
        if (!(n.value() instanceof String)) throw err(n, what + " must be a string, got " + describe(n));
        return (String) n.value();
    }

    private double number(YamlNode n, String what) {
        if (!(n.value() instanceof Number)) throw err(n, what + " must be a number, got " + describe(n));
        return ((Number) n.value()).doubleValue();
    }

    /**
     * Refuses a {@code model:} that is no directory, at its line: relative paths are resolved against this
     * file, so a copied example points somewhere new; says how to make the example's demo model.
     */
    public void checkModelExists() {
        YamlNode n = root.map().get("model");
        if (n == null) return;
        Path p = path(n, "model");
        if (Files.isDirectory(p)) return;
        String hint = string(n, "model").equals("swan-demo/model-qwen3")
                ? ": run 'swan demo' in " + file.toAbsolutePath().getParent() + " first to make the example's model, or set 'model:' to yours"
                : ": set 'model:' to a model directory (relative paths are relative to this file)";
        throw err(n, "model " + p + " is no directory" + hint);
    }

    private long integer(YamlNode n, String what) {
        if (!(n.value() instanceof Long)) throw err(n, what + " must be an integer, got " + describe(n));
        return (Long) n.value();
    }

    private Path path(YamlNode n, String what) {
        Path p = Path.of(string(n, what));
        Path dir = file.toAbsolutePath().getParent();
        return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }

    private static String describe(YamlNode n) {
        return n.value() == null ? "nothing" : n.isMap() ? "a mapping" : n.isList() ? "a list" : "'" + n.value() + "'";
    }

    private ConfigException err(YamlNode at, String msg) {
        return new ConfigException(src, at.line(), at.column(), msg);
    }

    private static String ids(List<? extends dev.swan.launcher.plugins.LoadedPlugin<?>> l) {
        List<String> ids = new ArrayList<>();
        for (var p : l) ids.add(p.id());
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }
}
