package dev.swan.testkit;

import dev.swan.api.model.ModelDir;
import dev.swan.api.model.TensorRole;
import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.ModelFormatException;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirTest {
    @TempDir
    Path tmp;

    @Test
    void opensSingleFileLlama() throws IOException {
        Path dir = tmp.resolve("llama");
        SyntheticModel.write(SyntheticModel.llama(), dir);
        try (ModelDir m = ModelFolder.open(dir)) {
            assertEquals("LlamaForCausalLM", m.config().architecture());
            assertEquals(128, m.config().hiddenSize().getAsInt());
            assertEquals(32, m.config().headDim().getAsInt());
            assertTrue(m.config().tieWordEmbeddings());
            assertFalse(m.find("lm_head.weight").isPresent(), "tied: no head stored");
            assertEquals(2 + 4 * 9, m.tensors().size());
            assertEquals(SyntheticModel.llama().parameterCount(), m.totalParameters());
            assertEquals(DType.F32, m.dominantFloatType());
            assertTrue(m.tokenizerFiles().stream().anyMatch(p -> p.endsWith("tokenizer.json")));
        }
    }

    @Test
    void opensShardedQwen3InEveryDtype() throws IOException {
        for (DType d : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            Path dir = tmp.resolve("qwen-" + d);
            SyntheticModel.Spec spec = SyntheticModel.qwen3().withDtype(d).withMaxShardBytes(200_000);
            SyntheticModel.write(spec, dir);
            try (ModelDir m = ModelFolder.open(dir)) {
                assertTrue(m.shardFiles().size() > 1, "sharded");
                assertEquals(d, m.dominantFloatType());
                TensorInfo q = m.tensor("model.layers.1.self_attn.q_proj.weight");
                assertArrayEquals(new long[] {128, 128}, q.shape());
                assertTrue(m.find("lm_head.weight").isPresent(), "untied head stored");
                float[] row = m.data(q).readRow(3, new float[128]);
                assertTrue(Math.abs(row[0]) < 1, "plausible weight");
            }
        }
    }

    @Test
    void tiedModelMayStoreHeadAnyway() throws IOException {
        Path dir = tmp.resolve("t");
        SyntheticModel.write(SyntheticModel.llama().withTied(true, true), dir);
        try (ModelDir m = ModelFolder.open(dir)) {
            assertTrue(m.config().tieWordEmbeddings());
            assertTrue(m.find("lm_head.weight").isPresent());
        }
    }

    private Path sharded() throws IOException {
        Path dir = tmp.resolve("s" + System.nanoTime());
        SyntheticModel.write(SyntheticModel.llama().withMaxShardBytes(2_000_000), dir);
        assertTrue(Files.exists(dir.resolve("model-00002-of-00002.safetensors")), "two shards");
        return dir;
    }

    private static String rejection(Path dir) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.open(dir).close());
        return e.getMessage();
    }

    @Test
    void rejectsIndexNamingAMissingShard() throws IOException {
        Path dir = sharded();
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        String m = rejection(dir);
        assertTrue(m.contains("model-00002-of-00002.safetensors") && m.contains("does not exist"), m);
    }

    @Test
    void rejectsShardPathsThatEscape() throws IOException {
        for (String evil : new String[] {"../x.safetensors", "/etc/passwd", "sub/../../y.safetensors"}) {
            Path dir = sharded();
            Path idx = dir.resolve(ModelDir.INDEX);
            Files.writeString(idx, Files.readString(idx).replaceFirst("model-00001-of-00002.safetensors", evil));
            String m = rejection(dir);
            assertTrue(m.contains("escapes the model directory"), m);
        }
    }

    @Test
    void rejectsTensorListedButAbsent() throws IOException {
        Path dir = sharded();
        Path idx = dir.resolve(ModelDir.INDEX);
        Files.writeString(idx, Files.readString(idx).replace("\"weight_map\": {",
                "\"weight_map\": {\n    \"model.ghost.weight\": \"model-00001-of-00002.safetensors\","));
        String m = rejection(dir);
        assertTrue(m.contains("model.ghost.weight") && m.contains("absent from this shard"), m);
    }

    @Test
    void rejectsMissingOrMalformedConfig() throws IOException {
        Path dir = tmp.resolve("c");
        SyntheticModel.write(SyntheticModel.llama(), dir);
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64,,}");
        String m = rejection(dir);
        assertTrue(m.contains("config.json") && m.contains("malformed JSON") && m.contains("line 1"), m);
        Files.delete(dir.resolve("config.json"));
        assertTrue(rejection(dir).contains("config.json: missing"));
        assertTrue(rejection(tmp.resolve("nowhere")).contains("no such directory"));
    }

    @Test
    void rejectsDirectoryWithoutWeights() throws IOException {
        Path dir = tmp.resolve("empty");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{}");
        assertTrue(rejection(dir).contains("no model.safetensors"));
    }

    @Test
    void readsTheSharedStoriesModels() {
        for (String name : new String[] {"stories260K", "stories260K-bf16"}) {
            try (ModelDir m = ModelFolder.open(SharedModels.model(name))) {
                // 48 tensors (the README's "49" counts the __metadata__ header entry too)
                assertEquals(48, m.tensors().size());
                assertEquals(260_032, m.totalParameters() - 512 * 64, "lm_head stored on top of 260,032");
                TensorInfo down = m.tensor("model.layers.0.mlp.down_proj.weight");
                assertArrayEquals(new long[] {64, 172}, down.shape());
                assertEquals(TensorRole.MLP_DOWN, m.classOf(down).role());
                assertEquals(name.endsWith("bf16") ? DType.BF16 : DType.F32, down.dtype());
            }
        }
    }
}
