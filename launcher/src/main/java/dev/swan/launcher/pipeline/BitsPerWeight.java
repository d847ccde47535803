package dev.swan.launcher.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one definition of bits per weight, which quantize, plan, report and eval all print, as llama.cpp
 * counts it: the bytes of the output's weight files (the GGUF file; an MLX or Hugging Face folder's
 * safetensors files, headers included) × 8, over the weights those files store.
 */
public final class BitsPerWeight {
    private BitsPerWeight() {
    }

    public static double of(long weightFileBytes, long storedWeights) {
        return weightFileBytes * 8.0 / Math.max(1, storedWeights);
    }

    /** The bytes of an output's weight files: a file's own size, or a folder's safetensors files. */
    public static long weightFileBytes(Path output) throws IOException {
        if (Files.isRegularFile(output)) return Files.size(output);
        long n = 0;
        try (var files = Files.list(output)) {
            for (Path f : (Iterable<Path>) files::iterator) if (f.toString().endsWith(".safetensors")) n += Files.size(f);
        }
        return n;
    }
}
