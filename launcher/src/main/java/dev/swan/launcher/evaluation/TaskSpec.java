package dev.swan.launcher.evaluation;

import dev.swan.eval.tasks.Question;
import dev.swan.eval.tasks.TaskFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A multiple-choice task to score: its name, the questions' file and, for few-shot prompts, the training
 * split's file (null: none), read in the dataset's own layout.
 */
public record TaskSpec(String name, Path file, Path train) {
    /** The few-shot count the model card's table uses (Open LLM Leaderboard): ARC-Challenge 25, HellaSwag 10. */
    public int cardShots() {
        return switch (name) {
            case "arc_challenge" -> 25;
            case "hellaswag" -> 10;
            default -> 0;
        };
    }

    /** Tasks scored by rolling log-likelihood of whole documents rather than by choices. */
    public static final List<String> ROLLING = List.of("wikitext");

    public boolean rolling() {
        return ROLLING.contains(name);
    }

    List<Question> questions() throws IOException {
        return TaskFile.read(name, file);
    }

    List<Question> shots() throws IOException {
        return train == null ? null : TaskFile.read(name, train);
    }
}
