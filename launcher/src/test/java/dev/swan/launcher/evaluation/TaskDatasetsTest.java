package dev.swan.launcher.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.eval.tasks.TaskFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --task NAME alone: lm-evaluation-harness' dataset for it, found in a hub cache laid out as huggingface_hub writes it. */
class TaskDatasetsTest {
    @TempDir
    Path cache;

    @Test
    void findsTheSplitsLmEvalScoresInTheHubCache() throws Exception {
        Path repo = cache.resolve("datasets--allenai--ai2_arc");
        Path snap = repo.resolve("snapshots").resolve("210d026faf9955653af8916fad021475a3f00453");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve("main"), "210d026faf9955653af8916fad021475a3f00453");
        for (String config : new String[] {"ARC-Challenge", "ARC-Easy"}) {
            Files.createDirectories(snap.resolve(config));
            for (String split : new String[] {"test", "train", "validation"}) {
                try (var in = TaskDatasetsTest.class.getResourceAsStream("/dev/swan/launcher/evaluation/arc.parquet")) {
                    Files.copy(in, snap.resolve(config).resolve(split + "-00000-of-00001.parquet"));
                }
            }
        }
        Path test = TaskDatasets.split("arc_challenge", cache);
        assertEquals(snap.resolve("ARC-Challenge").resolve("test-00000-of-00001.parquet"), test);
        assertEquals(Optional.of(snap.resolve("ARC-Easy").resolve("train-00000-of-00001.parquet")), TaskDatasets.train("arc_easy", cache));
        assertEquals(3, TaskFile.read("arc_challenge", test).size());
        dev.swan.api.SwanException missing = assertThrows(dev.swan.api.SwanException.class, () -> TaskDatasets.split("hellaswag", cache));
        assertTrue(missing.getMessage().contains("Rowan/hellaswag") && missing.getMessage().contains("hf download Rowan/hellaswag --repo-type dataset"),
                missing.getMessage());
    }
}
