package dev.swan.spark;

import dev.swan.launcher.Main;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;

/**
 * Entry point for {@code spark-submit --class dev.swan.spark.SwanSparkSubmit swan-spark.jar analyze MODEL
 * -o MANIFEST [options]}: the {@code swan} command line, with {@code --spark} taken from the master
 * spark-submit was given.
 */
public final class SwanSparkSubmit {
    private SwanSparkSubmit() {
    }

    public static void main(String[] args) {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (!a.contains("--spark") && !a.isEmpty() && a.get(0).equals("analyze")) {
            a.add("--spark");
            a.add(new SparkConf().get("spark.master", "local[*]"));
        }
        System.exit(Main.run(a.toArray(new String[0]), System.out, System.err));
    }
}
