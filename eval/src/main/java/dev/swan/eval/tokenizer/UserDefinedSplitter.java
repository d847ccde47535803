package dev.swan.eval.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Cuts text around user-defined tokens (added tokens that are not special), which llama.cpp matches as
 * whole tokens before any merging, longest first; special (control) tokens in the text stay text.
 */
final class UserDefinedSplitter {
    /** A piece of text to tokenize, or one token id (text null). */
    record Fragment(String text, int token) {
    }

    private final List<Map.Entry<String, Integer>> tokens;

    UserDefinedSplitter(Map<String, Integer> userDefined) {
        tokens = new ArrayList<>(userDefined.entrySet());
        tokens.removeIf(e -> e.getKey().isEmpty());
        tokens.sort(Comparator.comparingInt((Map.Entry<String, Integer> e) -> -e.getKey().length())
                .thenComparing(Map.Entry::getKey));
    }

    List<Fragment> split(String text) {
        List<Fragment> out = new ArrayList<>();
        if (tokens.isEmpty()) {
            out.add(new Fragment(text, -1));
            return out;
        }
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            Map.Entry<String, Integer> hit = null;
            for (Map.Entry<String, Integer> t : tokens) {
                if (text.startsWith(t.getKey(), i)) {
                    hit = t;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (i > start) out.add(new Fragment(text.substring(start, i), -1));
            out.add(new Fragment(null, hit.getValue()));
            i += hit.getKey().length();
            start = i;
        }
        if (start < text.length()) out.add(new Fragment(text.substring(start), -1));
        return out;
    }
}
