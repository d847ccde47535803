package dev.swan.eval.tasks;

import java.util.ArrayList;
import java.util.List;

/**
 * Few-shot prompts as lm-evaluation-harness builds them: each example {@code text + " " + answer}, the
 * examples and the question joined by a blank line ({@code "\n\n"}); with no examples, the question's text
 * alone. The examples are drawn as lm-evaluation-harness draws them: one {@code random.Random(seed)} for the
 * task (its fewshot_random_seed, 1234 unless told), {@code sample(train, k)} for each question in order; where
 * the pool holds the question itself, {@code k + 1} are drawn and the question left out.
 */
public final class FewShot {
    private final List<Question> pool;
    private final PythonRandom random;

    /** A task's sampler: draws for its questions in their order. */
    public FewShot(List<Question> pool, long seed) {
        this.pool = List.copyOf(pool);
        this.random = new PythonRandom(seed);
    }

    public static String prompt(List<Question> shots, Question q) {
        StringBuilder sb = new StringBuilder();
        for (Question s : shots) sb.append(s.text()).append(' ').append(s.answer()).append("\n\n");
        return sb.append(q.text()).toString();
    }

    /** The next question's {@code k} examples. */
    public List<Question> draw(int k, Question q) {
        List<Question> out = new ArrayList<>();
        if (k <= 0) return out;
        boolean self = pool.contains(q);
        for (int i : random.sample(pool.size(), self ? k + 1 : k)) {
            Question pick = pool.get(i);
            if (!pick.equals(q) && out.size() < k) out.add(pick);
        }
        return out;
    }
}
