package dev.swan.launcher.evaluation;

import dev.swan.api.ProgressSink;
import dev.swan.api.StoredModel;
import dev.swan.api.numeric.Parallel;
import dev.swan.eval.EvalException;
import dev.swan.eval.EvalInputs;
import dev.swan.eval.Perplexity;
import dev.swan.eval.Transformer;
import dev.swan.eval.tokenizer.Tokenizer;
import dev.swan.eval.tokenizer.Tokenizers;
import dev.swan.launcher.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One evaluation as {@code swan eval} and {@code quantize --eval} run it: open the models (and the base),
 * get the token ids (a text through the first tokenizer found: the base's, else the models' in order; or
 * an id file), and score them all with llama-perplexity's protocol.
 */
public final class EvalRun implements AutoCloseable {
    /** The default context: llama-perplexity's customary 512, shortened to what the model was made for. */
    public static final int DEFAULT_CTX = 512;

    private final List<StoredModel> opened = new ArrayList<>();
    private final List<Perplexity.Entry> models = new ArrayList<>();
    private Perplexity.Entry base;
    private Tokenizer tokenizer;

    public EvalRun(List<Path> paths, Path basePath, PluginRegistry plugins) throws IOException {
        try {
            if (basePath != null) base = entry(basePath, plugins);
            for (Path p : paths) models.add(entry(p, plugins));
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    private Perplexity.Entry entry(Path given, PluginRegistry plugins) throws IOException {
        Path p = StoredModels.resolve(given);
        StoredModel m = StoredModels.open(p, plugins);
        opened.add(m);
        Transformer t = Transformer.of(m);
        if (tokenizer == null) {
            Optional<Tokenizer> tok = m.vocabulary().map(v -> Tokenizers.of(v, p.toString()));
            if (tok.isEmpty() && Files.isDirectory(p)) tok = Tokenizers.fromDirectory(p, m.config());
            tokenizer = tok.orElse(null);
        }
        return new Perplexity.Entry(given.toString(), t);
    }

    /** The ids of a text (through the first tokenizer found) or of an id file. */
    public int[] ids(Path text, Path idFile) throws IOException {
        if (idFile != null) return EvalInputs.ids(idFile);
        if (tokenizer == null) {
            throw new EvalException("no tokenizer found (no tokenizer.model or tokenizer.json beside the models, no "
                    + "vocabulary in a GGUF): give the token ids with --ids FILE");
        }
        return tokenizer.encode(EvalInputs.text(text));
    }

    /** The context to use: as asked, else {@link #DEFAULT_CTX} or the shortest model maximum below it. */
    public int context(Integer asked) {
        if (asked != null) return asked;
        int ctx = DEFAULT_CTX;
        for (Perplexity.Entry e : all()) {
            int max = e.model().architecture().maxPositions();
            if (max > 0) ctx = Math.min(ctx, max);
        }
        return ctx;
    }

    public List<Perplexity.Result> run(int[] ids, Perplexity.Settings settings, ProgressSink progress, Parallel par) {
        int bos = tokenizer != null ? (tokenizer.addsBos() ? tokenizer.bos() : -1) : defaultBos();
        return Perplexity.run(models, Optional.ofNullable(base), ids, bos, settings, progress, par);
    }

    /**
     * Scores every model (the base first) on each task: {@code shots} examples per question when given, else
     * the model card's count when the task has a training split, else none.
     */
    public List<TaskReport.Row> runTasks(List<TaskSpec> tasks, Integer shots, long seed, ProgressSink progress, Parallel par)
            throws IOException {
        if (tokenizer == null) {
            throw new EvalException("no tokenizer found (no tokenizer.model or tokenizer.json beside the models, no "
                    + "vocabulary in a GGUF): multiple-choice tasks need one");
        }
        List<TaskReport.Row> rows = new ArrayList<>();
        for (TaskSpec spec : tasks) {
            if (spec.rolling()) continue;
            List<dev.swan.eval.tasks.Question> questions = spec.questions();
            List<dev.swan.eval.tasks.Question> pool = spec.shots();
            int k = shots != null ? shots : pool != null ? spec.cardShots() : 0;
            if (k > 0 && pool == null) {
                throw new EvalException(spec.name() + ": " + k + "-shot prompts need the task's training split: --train "
                        + spec.name() + "=FILE (or --fewshot 0)");
            }
            for (Perplexity.Entry e : all()) {
                int max = e.model().architecture().maxPositions();
                dev.swan.eval.tasks.MultipleChoice.Result r = dev.swan.eval.tasks.MultipleChoice.score(spec.name(), e.model(),
                        tokenizer, questions, pool, k, seed, max > 0 ? max : 4096, progress, par);
                rows.add(new TaskReport.Row(e.label(), e == base, r));
            }
        }
        return rows;
    }

    /**
     * Scores every model (the base first) on each rolling task (wikitext) in windows of {@code ctx} tokens
     * (null: the model's maximum, at most {@link #ROLLING_CTX}).
     */
    public List<TaskReport.RollingRow> runRolling(List<TaskSpec> tasks, Integer ctx, ProgressSink progress, Parallel par)
            throws IOException {
        List<TaskReport.RollingRow> rows = new ArrayList<>();
        for (TaskSpec spec : tasks) {
            if (!spec.rolling()) continue;
            if (tokenizer == null) throw new EvalException(spec.name() + " needs a tokenizer (none beside the models)");
            List<String> pages = dev.swan.eval.tasks.Wikitext.pages(spec.file());
            for (Perplexity.Entry e : all()) {
                int max = e.model().architecture().maxPositions();
                int window = ctx != null ? ctx : max > 0 ? Math.min(max, ROLLING_CTX) : ROLLING_CTX;
                rows.add(new TaskReport.RollingRow(e.label(), e == base, dev.swan.eval.tasks.Rolling.score(spec.name(), e.model(),
                        tokenizer, pages, true, window, progress, par)));
            }
        }
        return rows;
    }

    /** The longest rolling window by default: the attention of longer ones outgrows memory on a laptop. */
    public static final int ROLLING_CTX = 4096;

    /** Without a tokenizer (an id file for models that carry none), BOS comes from config.json. */
    private int defaultBos() {
        Object id = all().get(0).model().model().config().get("bos_token_id");
        return id instanceof Long l ? l.intValue() : -1;
    }

    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    private List<Perplexity.Entry> all() {
        List<Perplexity.Entry> all = new ArrayList<>();
        if (base != null) all.add(base);
        all.addAll(models);
        return all;
    }

    @Override
    public void close() {
        for (StoredModel m : opened) m.close();
        opened.clear();
    }
}
