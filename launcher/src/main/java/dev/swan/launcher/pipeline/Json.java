package dev.swan.launcher.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;

/** The launcher's Jackson setup: one mapper, sorted-free insertion order, pretty output, strict duplicates. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    public static final ObjectMapper COMPACT = new ObjectMapper();
    public static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private Json() {
    }
}
