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
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver side: one Spark task per tensor (or expert stack), collected in waves of a few tasks per
 * core so that each finished wave reaches the journal before the next starts (a killed driver resumes
 * from there); Spark retries a failed task on any executor. Results come back in model order.
 */
final class SparkAnalyzer implements TensorAnalyzer {
    /** Tasks collected per wave, per unit of the cluster's default parallelism. */
    private static final int TASKS_PER_CORE = 2;

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
            JavaRDD<String> measured = sc.parallelize(todo, todo.size()).mapPartitions(it -> TaskRunner.run(job, it));
            int wave = Math.max(1, TASKS_PER_CORE * sc.defaultParallelism());
            for (int first = 0; first < todo.size(); first += wave) {
                int[] ids = new int[Math.min(wave, todo.size() - first)];
                for (int i = 0; i < ids.length; i++) ids[i] = first + i;
                for (List<String> part : collect(measured, ids)) {
                    for (String json : part) {
                        AnalysisEngine.Measured m = AnalysisEngine.Measured.fromJson(json, "a Spark task's result");
                        String name = m.analysis().name();
                        if (results.containsKey(name)) continue; // a stack's slice kept from an earlier run
                        results.put(name, m);
                        sink.accept(m);
                        progress.update(++finished, total, name);
                    }
                }
            }
        }
        List<AnalysisEngine.Measured> out = new ArrayList<>();
        for (TensorInfo t : model.tensors()) out.add(results.get(t.name()));
        return out;
    }

    /** One wave; a task that failed every attempt becomes one line naming the task's own failure. */
    private static List<List<String>> collect(JavaRDD<String> measured, int[] ids) {
        try {
            return java.util.Arrays.asList(measured.collectPartitions(ids));
        } catch (Exception e) { // Spark throws its checked SparkException from Scala, undeclared
            if (e instanceof dev.swan.api.SwanException s) throw s;
            throw new DistributedAnalysisException("the Spark job failed: " + taskFailure(e)
                    + " (finished tensors are kept in the journal: the same command resumes)", e);
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
