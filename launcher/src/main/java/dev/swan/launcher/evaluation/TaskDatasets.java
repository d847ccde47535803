package dev.swan.launcher.evaluation;

import dev.swan.eval.EvalException;
import dev.swan.toolkit.model.HubCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The datasets lm-evaluation-harness scores each known task on, found in the local Hugging Face hub cache
 * (as {@code hf download REPO --repo-type dataset} leaves them): the split's Parquet or JSON Lines file.
 * Nothing is downloaded.
 */
public final class TaskDatasets {
    /** A task's dataset: the hub repository, its configuration (a folder of the snapshot, or none) and splits. */
    record Source(String repo, String config, String split, String trainSplit) {
    }

    private static final Map<String, Source> SOURCES = Map.of(
            "arc_challenge", new Source("allenai/ai2_arc", "ARC-Challenge", "test", "train"),
            "arc_easy", new Source("allenai/ai2_arc", "ARC-Easy", "test", "train"),
            "hellaswag", new Source("Rowan/hellaswag", null, "validation", "train"),
            "wikitext", new Source("EleutherAI/wikitext_document_level", "wikitext-2-raw-v1", "test", null));

    private TaskDatasets() {
    }

    /** The task's evaluation split in {@code cache}. */
    public static Path split(String task, Path cache) {
        Source s = source(task);
        return find(s, s.split(), cache).orElseThrow(() -> new EvalException("--task " + task + ": " + s.repo() + "'s "
                + s.split() + " split is not in " + HubCache.resolveDataset(s.repo(), cache) + " (a Parquet or JSON Lines "
                + "file named " + s.split() + "-*; give --task " + task + "=FILE)"));
    }

    /** The task's training split in {@code cache}, where there is one. */
    public static Optional<Path> train(String task, Path cache) {
        Source s = source(task);
        return s.trainSplit() == null ? Optional.empty() : find(s, s.trainSplit(), cache);
    }

    private static Source source(String task) {
        Source s = SOURCES.get(task);
        if (s == null) {
            throw new EvalException("--task " + task + ": no dataset known for it in the hub cache; give --task " + task + "=FILE");
        }
        return s;
    }

    private static Optional<Path> find(Source s, String split, Path cache) {
        Path snapshot = HubCache.resolveDataset(s.repo(), cache);
        Pattern name = Pattern.compile(Pattern.quote(split) + "([-.][^/]*)?\\.(parquet|jsonl)");
        List<Path> hits;
        try (var files = Files.walk(snapshot)) {
            hits = files.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .filter(p -> s.config() == null || snapshot.relativize(p).toString().contains(s.config()))
                    .sorted().toList();
        } catch (IOException e) {
            throw new EvalException(snapshot + ": cannot list: " + e.getMessage());
        }
        if (hits.size() > 1) {
            throw new EvalException(s.repo() + "'s " + split + " split is in " + hits.size() + " files in " + snapshot
                    + " (sharded): give the file with --task or --train NAME=FILE");
        }
        return hits.stream().findFirst();
    }
}
