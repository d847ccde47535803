package dev.swan.eval.tasks;

import dev.swan.api.numeric.SeededRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Few-shot prompts as lm-evaluation-harness builds them: each example {@code text + " " + answer}, the
 * examples and the question joined by a blank line ({@code "\n\n"}); with no examples, the question's text
 * alone. The examples come from the task's training split, drawn per question with a generator seeded from
 * the seed and the question's position, never the question itself (so a question's prompt does not depend on
 * which others are scored; lm-evaluation-harness draws from one generator in order, so its examples differ).
 */
public final class FewShot {
    private FewShot() {
    }

    public static String prompt(List<Question> shots, Question q) {
        StringBuilder sb = new StringBuilder();
        for (Question s : shots) sb.append(s.text()).append(' ').append(s.answer()).append("\n\n");
        return sb.append(q.text()).toString();
    }

    /** {@code k} distinct examples of {@code pool} for the question at {@code index} (not {@code q} itself). */
    public static List<Question> draw(List<Question> pool, int k, long seed, int index, Question q) {
        List<Question> out = new ArrayList<>();
        if (k <= 0) return out;
        SeededRandom random = SeededRandom.derive(seed, index);
        int[] idx = new int[pool.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        for (int i = 0; i < idx.length && out.size() < k; i++) { // partial Fisher-Yates
            int j = i + (int) Math.floorMod(random.nextLong(), (long) (idx.length - i));
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            Question pick = pool.get(idx[i]);
            if (pick != q && !pick.equals(q)) out.add(pick);
        }
        return out;
    }
}
