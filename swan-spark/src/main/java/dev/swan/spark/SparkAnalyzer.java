package dev.swan.spark;

import dev.swan.api.ProgressSink;
import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.launcher.pipeline.AnalysisEngine;
import dev.swan.launcher.pipeline.DistributedAnalysisException;
import dev.swan.launcher.pipeline.TensorAnalyzer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver side: one Spark task per tensor (or expert stack), each its own job, all submitted at once;
 * each result reaches the journal as soon as its job ends (a killed driver resumes from there), and
 * Spark retries a failed task on any executor. Results come back in model order.
 */
final class SparkAnalyzer implements TensorAnalyzer {
    private final JavaSparkContext sc;
    private final JobSpec spec;

    SparkAnalyzer(JavaSparkContext sc, JobSpec spec) {
        this.sc = sc;
        this.spec = spec;
    }

    @Override
    public List<AnalysisEngine.Measured> analyze(ModelDir model, Map<String, AnalysisEngine.Measured> done,
                                                 Consumer<AnalysisEngine.Measured> sink, ProgressSink progress) {
        List<TaskDescriptor> todo = new ArrayList<>();
        for (AnalysisEngine.Task t : AnalysisEngine.tasks(model.tensors())) if (t.needed(done)) todo.add(TaskDescriptor.of(t));
        Map<String, AnalysisEngine.Measured> results = new HashMap<>(done);
        long total = model.tensors().size();
        long finished = done.size();
        if (!todo.isEmpty()) {
            JobSpec job = spec;
            // one job per task, all submitted at once: Spark keeps every slot busy (a long tensor never holds
            // up the others), and each result reaches the journal as soon as its job ends
            List<JavaFutureAction<List<String>>> pending = new ArrayList<>();
            for (TaskDescriptor d : todo) {
                pending.add(sc.parallelize(List.of(d), 1).mapPartitions(it -> TaskRunner.run(job, it)).collectAsync());
            }
            try {
                while (!pending.isEmpty()) {
                    JavaFutureAction<List<String>> next = null;
                    for (JavaFutureAction<List<String>> f : pending) {
                        if (f.isDone()) {
                            next = f;
                            break;
                        }
                    }
                    if (next == null) {
                        Thread.sleep(20);
                        continue;
                    }
                    pending.remove(next);
                    for (String json : result(next)) {
                        AnalysisEngine.Measured m = AnalysisEngine.Measured.fromJson(json, "a Spark task's result");
                        String name = m.analysis().name();
                        if (results.containsKey(name)) continue; // a stack's slice kept from an earlier run
                        results.put(name, m);
                        sink.accept(m);
                        progress.update(++finished, total, name);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedAnalysisException("interrupted while the Spark job ran", e);
            } finally {
                for (JavaFutureAction<List<String>> f : pending) f.cancel(true);
            }
        }
        List<AnalysisEngine.Measured> out = new ArrayList<>();
        for (TensorInfo t : model.tensors()) out.add(results.get(t.name()));
        return out;
    }

    /** A finished job's lines; a task that failed every attempt becomes one line naming its own failure. */
    private static List<String> result(JavaFutureAction<List<String>> job) throws InterruptedException {
        try {
            return job.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            if (c instanceof dev.swan.api.SwanException s) throw s;
            throw new DistributedAnalysisException("the Spark job failed: " + taskFailure(c)
                    + " (finished tensors are kept in the journal: the same command resumes)", c);
        }
    }

    /** The failing task's own message out of Spark's report ("... failed N times, most recent failure: ..."). */
    static String taskFailure(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("): ");
        String first = at >= 0 ? m.substring(at + 3) : m;
        int nl = first.indexOf('\n');
        return nl >= 0 ? first.substring(0, nl) : first;
    }

    @Override
    public void close() {
        sc.stop();
    }
}
