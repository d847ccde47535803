package dev.swan.launcher.pipeline;

import dev.swan.api.model.ModelDir;
import dev.swan.api.tensor.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Identifies a model's weights without reading them: SHA-256 over every tensor's name, dtype, shape and
 * span, and each shard's size and modification time. A changed model is detected on resume.
 */
final class Fingerprint {
    private Fingerprint() {
    }

    static String of(ModelDir model) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (TensorInfo t : model.tensors()) {
                md.update((t.name() + '|' + t.dtype() + '|' + Arrays.toString(t.shape()) + '|'
                        + t.file().getFileName() + '|' + t.dataStart() + '\n').getBytes(StandardCharsets.UTF_8));
            }
            for (Path shard : model.shardFiles()) {
                md.update((shard.getFileName() + "|" + Files.size(shard) + "|" + Files.getLastModifiedTime(shard).toMillis()
                        + '\n').getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
