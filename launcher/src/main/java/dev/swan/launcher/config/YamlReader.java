package dev.swan.launcher.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.swan.api.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads YAML into {@link YamlNode}s that remember where each value was (Jackson's YAML parser, streamed). */
public final class YamlReader {
    private YamlReader() {
    }

    /** Deeper than any pipeline needs: refused at its line before the parser's own limit, which names none. */
    static final int MAX_DEPTH = 64;

    public static YamlNode read(Reader in, String source) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(in)) {
            try {
                JsonToken t = p.nextToken();
                if (t == null) return new YamlNode(new LinkedHashMap<String, YamlNode>(), 1, 1);
                return node(p, t, source, 0);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                JsonLocation l = e.getLocation() != null ? e.getLocation() : p.currentLocation();
                throw new ConfigException(source, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                        "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new ConfigException(source, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    private static YamlNode node(JsonParser p, JsonToken t, String source, int depth) throws IOException {
        JsonLocation l = p.currentTokenLocation();
        int line = l.getLineNr();
        int col = l.getColumnNr();
        if (depth > MAX_DEPTH) {
            throw new ConfigException(source, line, col, "nested more than " + MAX_DEPTH + " levels deep: a pipeline "
                    + "needs a few (model, allocator, metrics, format)");
        }
        if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser y && y.isCurrentAlias()) {
            // the parser hands an alias over as the anchor's name: '*mdl' would silently mean the path "mdl"
            throw new ConfigException(source, line, col, "aliases (*" + p.getText() + ") are not supported in pipelines: "
                    + "write the value out");
        }
        switch (t) {
            case START_OBJECT: {
                Map<String, YamlNode> m = new LinkedHashMap<>();
                Map<String, int[]> keys = new LinkedHashMap<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    JsonLocation kl = p.currentTokenLocation();
                    if (m.containsKey(key)) {
                        throw new ConfigException(source, kl.getLineNr(), kl.getColumnNr(), "duplicate key '" + key + "'");
                    }
                    keys.put(key, new int[] {kl.getLineNr(), kl.getColumnNr()});
                    m.put(key, node(p, p.nextToken(), source, depth + 1));
                }
                return new YamlNode(m, line, col, keys);
            }
            case START_ARRAY: {
                List<YamlNode> list = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) list.add(node(p, t, source, depth + 1));
                return new YamlNode(list, line, col);
            }
            case VALUE_STRING:
                return new YamlNode(p.getText(), line, col);
            case VALUE_NUMBER_INT:
                return new YamlNode(p.getLongValue(), line, col);
            case VALUE_NUMBER_FLOAT:
                return new YamlNode(p.getDoubleValue(), line, col);
            case VALUE_TRUE:
                return new YamlNode(Boolean.TRUE, line, col);
            case VALUE_FALSE:
                return new YamlNode(Boolean.FALSE, line, col);
            case VALUE_NULL:
                return new YamlNode(null, line, col);
            default:
                throw new ConfigException(source, line, col, "unsupported YAML content: " + t);
        }
    }
}
