package dev.swan.launcher.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;

/**
 * The launcher's one Jackson mapper, for every file and {@code --json} output it writes and reads:
 * insertion order kept, pretty output, duplicate keys refused. The typed records it binds say the schema
 * (manifest and journal in {@link ManifestSchema}, command outputs beside their commands; the SPI records
 * written as they are get their JSON names from {@link SpiMixIns}).
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .addMixIn(dev.swan.api.AllocationPolicy.class, SpiMixIns.Policy.class)
            .addMixIn(dev.swan.api.AllocationPolicy.Override.class, SpiMixIns.Override.class)
            .addMixIn(dev.swan.api.AllocationPolicy.Target.class, SpiMixIns.Target.class);
    /** The same mapper writing one line per value (journal records, identities). */
    public static final ObjectWriter COMPACT = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
    public static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private Json() {
    }
}
