package dev.swan.toolkit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesAllValueKinds() {
        Map<String, Object> m = Json.parseObject(
                "{\"a\": 1, \"b\": -2.5e3, \"c\": \"x\\u00e9\\n\", \"d\": [true, false, null], \"e\": {}}");
        assertEquals(1L, m.get("a"));
        assertEquals(-2500.0, m.get("b"));
        assertEquals("x\u00e9\n", m.get("c"));
        assertEquals(List.of(true, false), ((List<?>) m.get("d")).subList(0, 2));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of("a", "b", "c", "d", "e"), new ArrayList<>(m.keySet()), "insertion order kept");
    }

    @Test
    void reportsLineAndColumn() {
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}"));
        assertEquals(3, e.line());
        assertEquals(7, e.column());
    }

    @Test
    void rejectsDuplicateKeysTrailingTextAndBadTokens() {
        assertThrows(JsonParseException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertThrows(JsonParseException.class, () -> Json.parse("{} x"));
        assertThrows(JsonParseException.class, () -> Json.parse("[1,]"));
        assertThrows(JsonParseException.class, () -> Json.parse("01"));
        assertThrows(JsonParseException.class, () -> Json.parse("\"a\u0001\""));
        assertThrows(JsonParseException.class, () -> Json.parse("nul"));
        assertThrows(JsonParseException.class, () -> Json.parse(""));
        assertThrows(JsonParseException.class, () -> Json.parse("[".repeat(600) + "]".repeat(600)));
    }

    /** Property: any value tree written by JsonWriter (compact or pretty) parses back to an equal tree. */
    @Test
    void writeThenParseIsIdentityOnRandomTrees() {
        Random r = new Random(42);
        for (int i = 0; i < 500; i++) {
            Object v = randomValue(r, 0);
            assertEquals(v, Json.parse(JsonWriter.compact().write(v)));
            assertEquals(v, Json.parse(JsonWriter.pretty(4, false).write(v)));
        }
    }

    /** Property: mutated documents either parse or fail with JsonParseException, never anything else. */
    @Test
    void mutatedInputFailsCleanly() {
        Random r = new Random(7);
        String alphabet = "{}[]\",:0123456789.eE+-tfnu\\ ab\n";
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(JsonWriter.compact().write(randomValue(r, 0)));
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                int pos = r.nextInt(sb.length() + 1);
                switch (r.nextInt(3)) {
                    case 0: sb.insert(pos, alphabet.charAt(r.nextInt(alphabet.length()))); break;
                    case 1: if (pos < sb.length()) sb.deleteCharAt(pos); break;
                    default: if (pos < sb.length()) sb.setCharAt(pos, alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            try {
                Json.parse(sb.toString());
            } catch (JsonParseException expected) {
                assertTrue(expected.line() >= 1);
            }
        }
    }

    private static Object randomValue(Random r, int depth) {
        int kind = depth > 3 ? r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0: return null;
            case 1: return r.nextBoolean();
            case 2: return (long) r.nextInt() * (r.nextBoolean() ? 1 : 1_000_003L);
            case 3: return r.nextDouble() * Math.pow(10, r.nextInt(20) - 10);
            case 4: return randomString(r);
            case 5: {
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < r.nextInt(4); i++) l.add(randomValue(r, depth + 1));
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < r.nextInt(4); i++) m.put(randomString(r), randomValue(r, depth + 1));
                return m;
            }
        }
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        String chars = "ab\"\\\n\t\u00e9\u2581/\u0001 z";
        for (int i = 0; i < r.nextInt(6); i++) sb.append(chars.charAt(r.nextInt(chars.length())));
        return sb.toString();
    }
}
