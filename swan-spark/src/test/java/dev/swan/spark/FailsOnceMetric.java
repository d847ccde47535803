package dev.swan.spark;

import dev.swan.api.MetricContext;
import dev.swan.api.MetricResult;
import dev.swan.api.ParameterSpec;
import dev.swan.api.SensitivityMetric;
import dev.swan.api.SpiVersion;
import dev.swan.api.numeric.FloatMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A test metric (the weight's rms) that throws the first time it measures the tensor named by its
 * {@code tensor} parameter while the file named by {@code marker} does not exist yet (it creates it):
 * one failed task, for the retry test; and every time while the file {@code block} exists: a job that
 * fails, for the resume test.
 */
public final class FailsOnceMetric implements SensitivityMetric {
    @Override
    public String id() {
        return "fails_once";
    }

    @Override
    public String description() {
        return "test only: rms, failing once on one tensor";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(ParameterSpec.ofString("marker", "", "file created by the one failure (empty: never fail)"),
                ParameterSpec.ofString("tensor", "", "tensor whose first measurement fails"),
                ParameterSpec.ofString("block", "", "while this file exists, every measurement of that tensor fails"));
    }

    @Override
    public MetricResult measure(FloatMatrix w, MetricContext ctx) {
        String block = ctx.parameters().getString("block");
        if (!block.isEmpty() && ctx.tensorName().equals(ctx.parameters().getString("tensor")) && Files.exists(Path.of(block))) {
            throw new IllegalStateException("injected failure (blocked) on " + ctx.tensorName());
        }
        String marker = ctx.parameters().getString("marker");
        if (!marker.isEmpty() && ctx.tensorName().equals(ctx.parameters().getString("tensor"))) {
            try {
                Files.createFile(Path.of(marker));
                throw new IllegalStateException("injected failure (once) on " + ctx.tensorName());
            } catch (java.nio.file.FileAlreadyExistsException again) {
                // failed before: measure normally
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        double rms = ctx.stats().rms();
        return MetricResult.of(rms, MetricResult.clip01(rms * 10));
    }
}
