package dev.swan.eval.tasks;

import java.util.List;

/**
 * One multiple-choice question as lm-evaluation-harness scores it: the text before the answer ({@code
 * doc_to_text}), the choices ({@code doc_to_choice}, each scored as {@code " " + choice} after the context)
 * and the index of the right one; {@code where} names its file and line for messages.
 */
public record Question(String text, List<String> choices, int gold, String where) {
    public Question {
        choices = List.copyOf(choices);
        if (gold < 0 || gold >= choices.size()) throw new IllegalArgumentException(where + ": gold " + gold + " of " + choices.size());
    }

    /** The text of the right answer ({@code doc_to_target} as text), what a few-shot example shows. */
    public String answer() {
        return choices.get(gold);
    }
}
