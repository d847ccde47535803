package dev.swan.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quality tables cannot drift from the code: one group of rows (stories260K at MLX uniform
 * 4-bit's size: the baseline, swan weight-only and swan's default) is made again by the command that made
 * the tables ({@code swan bench --only quality}) and must appear in the README exactly as printed.
 */
class QualityTableTest {
    @TempDir
    Path tmp;

    @Test
    void readmeRowsAreWhatTheBenchPrints() throws Exception {
        Path shared = SharedModels.sharedDir();
        // the tests run in the launcher module's folder; the README is the project's
        String text = Files.readString(Path.of("..", "README.md"));
        List<QualityBench.Row> rows = QualityBench.rows(shared, QualityBench.MODELS.get(0), QualityBench.BASELINES.get(0),
                tmp, 2);
        boolean first = true;
        for (QualityBench.Row r : rows) {
            String line = r.markdown(first);
            first = false;
            assertTrue(text.contains(line + "\n"), "README.md lacks the row the bench prints now:\n" + line
                    + "\n(run swan bench --only quality --shared DIR and update the tables)");
        }
    }
}
