package dev.swan.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system of its own scheme ({@code swantest:///path}) over local files: what the tests read
 * a model "from a cluster's storage" with, through the same Hadoop API as {@code hdfs://} or {@code s3a://}.
 * Registered with Hadoop's ServiceLoader file (test resources).
 */
public final class SwanTestFileSystem extends RawLocalFileSystem {
    @Override
    public String getScheme() {
        return "swantest";
    }

    @Override
    public URI getUri() {
        return URI.create("swantest:///");
    }
}
