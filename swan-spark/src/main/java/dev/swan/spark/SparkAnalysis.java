package dev.swan.spark;

import dev.swan.api.model.ModelDir;
import dev.swan.launcher.pipeline.DistributedAnalysis;
import dev.swan.launcher.pipeline.ResolvedPipeline;
import dev.swan.launcher.pipeline.TensorAnalyzer;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code swan analyze --spark MASTER}: the analysis as a Spark job on {@code MASTER} (any master Spark
 * accepts: {@code spark://host:7077}, {@code yarn}, {@code k8s://...}, {@code local[N]}). Other Spark
 * settings come from the usual places ({@code spark-submit --conf}, {@code spark-defaults.conf}).
 * In local mode tasks are retried as on a cluster ({@code local[N]} runs as {@code local[N,4]}, Spark's
 * default spark.task.maxFailures), so a flaky task behaves the same in a test as in production.
 */
public final class SparkAnalysis implements DistributedAnalysis {
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)])?");

    @Override
    public String id() {
        return "spark";
    }

    @Override
    public TensorAnalyzer open(String master, ResolvedPipeline pipeline, ModelDir model) {
        SparkConf conf = new SparkConf().setAppName("swan analyze " + model.name()).setMaster(withRetries(master));
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            java.util.List<java.nio.file.Path> folders = new dev.swan.launcher.SwanCommand().pluginFolders();
            folders.addAll(pipeline.settings().pluginDirs());
            return new SparkAnalyzer(sc, JobSpec.of(pipeline, model, folders, localSlots(master), hadoopSettings(conf)));
        } catch (RuntimeException e) {
            sc.stop();
            throw e;
        }
    }

    /** A model folder in a Hadoop file system (hdfs://, s3a://, ...), read with the spark.hadoop.* settings. */
    @Override
    public Optional<ModelDir> openRemote(String uri) {
        return Optional.of(HadoopModel.open(uri, hadoopSettings(new SparkConf())));
    }

    /** The {@code spark.hadoop.*} settings without their prefix, as Spark hands them to Hadoop. */
    static Map<String, String> hadoopSettings(SparkConf conf) {
        Map<String, String> out = new TreeMap<>();
        for (scala.Tuple2<String, String> e : conf.getAllWithPrefix("spark.hadoop.")) out.put(e._1(), e._2());
        return out;
    }

    /** {@code local[N]} (or local, local[*]) with Spark's cluster default of 4 attempts per task. */
    static String withRetries(String master) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) return master;
        return "local[" + (m.group(1) == null ? "1" : m.group(1)) + ",4]";
    }

    /** In local mode the one executor runs N tasks at once; elsewhere its cores tell (0). */
    static int localSlots(String master) {
        Matcher m = Pattern.compile("local\\[(\\d+)(?:,\\d+)?]").matcher(master.trim());
        if (m.matches()) return Integer.parseInt(m.group(1));
        return master.trim().equals("local") ? 1 : 0;
    }
}
