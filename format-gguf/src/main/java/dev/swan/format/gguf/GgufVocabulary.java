package dev.swan.format.gguf;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's rule for a token list: an empty token is loaded as {@code [EMPTY_i]} (i its id), and two tokens
 * with the same text stop the loader (it asserts one id per text). Writer and verifier both use this rule,
 * so what one accepts the other accepts.
 */
final class GgufVocabulary {
    private GgufVocabulary() {
    }

    /** The text llama.cpp keys token {@code id} by. */
    static String loadedText(String token, int id) {
        return token.isEmpty() ? "[EMPTY_" + id + "]" : token;
    }

    /** The ids {first, second} of the first two tokens llama.cpp would load with the same text, or null. */
    static int[] firstDuplicate(List<String> tokens) {
        Map<String, Integer> seen = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            Integer before = seen.putIfAbsent(loadedText(tokens.get(i), i), i);
            if (before != null) return new int[] {before, i};
        }
        return null;
    }
}
