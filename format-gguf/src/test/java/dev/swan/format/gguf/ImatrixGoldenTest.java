package dev.swan.format.gguf;

import dev.swan.toolkit.model.ModelFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.swan.api.AllocationPlan;
import dev.swan.api.FormatContext;
import dev.swan.api.Parameters;
import dev.swan.api.ProgressSink;
import dev.swan.api.TensorDecision;
import dev.swan.api.model.ModelDir;
import dev.swan.api.numeric.Parallel;
import dev.swan.api.tensor.TensorInfo;
import dev.swan.testkit.SharedModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ggml's importance-weighted quantizers, byte for byte: with the same importance matrix, swan's GGUF of
 * qwen3-gutenberg-4m holds exactly the tensors llama-quantize --imatrix writes (llama.cpp v0.4.0 as bundled
 * in node-llama-cpp 3.21.1, non-native CPU build, from an F32 GGUF of the same weights). The golden values
 * are SHA-256s over every tensor (sorted by name: name, type id, data). Two matrices: one written by swan's
 * self-calibration (llama.cpp's legacy format) and one by llama-imatrix itself (GGUF format).
 */
class ImatrixGoldenTest {
    @TempDir
    Path tmp;

    static Path resource(String name) throws Exception {
        return Path.of(ImatrixGoldenTest.class.getResource("/imatrix/" + name).toURI());
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @CsvSource({
            "preset, Q4_K_M, qwen3-gutenberg-4m.swan-selfcal.imatrix, 8a6bdbac7df61aa4c3b35f336368071cc4a270462e4d9f5f8f458c4cbf028268",
            "preset, Q2_K, qwen3-gutenberg-4m.swan-selfcal.imatrix, bfca31c029f5ce6abb809aee2b2e8f62c35d9dc54336f6595e38567f94f977f4",
            "preset, Q3_K_M, qwen3-gutenberg-4m.swan-selfcal.imatrix, e632f83e4f668502b027155497dec58f25a8b2bd1cb262e703a667e272e82575",
            "preset, Q5_K_M, qwen3-gutenberg-4m.swan-selfcal.imatrix, 28c5df2c12afbbf1b1285bbaec914f084ceaf1576ebeaa4032093e8ccfcabb54",
            "preset, Q6_K, qwen3-gutenberg-4m.swan-selfcal.imatrix, edf2abdf684035c3ead286d19c849636bb87f7642b78b54ae35bfd4889738b92",
            "preset, Q4_0, qwen3-gutenberg-4m.swan-selfcal.imatrix, 5d9f6fd4472ab58190c9368f5189dae295fa5da6a875dfa55984f09a00a9dfaa",
            "uniform_type, Q4_1, qwen3-gutenberg-4m.swan-selfcal.imatrix, f65a5423ed4205aae95b81965cd3a2a1cdaf77fbac15ef7dee4bc7b5689e4da7",
            "uniform_type, Q5_0, qwen3-gutenberg-4m.swan-selfcal.imatrix, 89bb55d2f0e5fdefb298b7672632694341977dec15a42c1b3df8bcad4aa267a4",
            "uniform_type, Q5_1, qwen3-gutenberg-4m.swan-selfcal.imatrix, 036f4538947eaaeefe9cc2417a6971638556a676d89f86d117ec48db7924bd8d",
            "preset, Q4_K_M, qwen3-gutenberg-4m.llama-imatrix.gguf, 55340d1800a6328f50ff2437d9bab46375e21f78e83ebe3374479e802bf4fa77",
            "preset, Q4_0, qwen3-gutenberg-4m.llama-imatrix.gguf, f7cf5a191395171f3a90675e8067a06e3c9fe0d86b75858f20d8d83cc322597b",
            // the 4-bit non-linear types (llama.cpp 80fb11a, the same bundle)
            "preset, IQ4_NL, qwen3-gutenberg-4m.swan-selfcal.imatrix, 737b3e20060ff8b95ec41730a9c9a3ddb95fe9e18901af5dea9a027f88e2d64a",
            "preset, IQ4_XS, qwen3-gutenberg-4m.swan-selfcal.imatrix, b9ef383bfec956615981ea3ac4bbd4fe632d8e7ea0d9c7cd3d95bbf5256bef3d",
            "preset, IQ4_NL, qwen3-gutenberg-4m.llama-imatrix.gguf, eba6ae03c33079eaa2458660a9a493732e24344b9d7b457c9b215454a00285e4",
            "preset, IQ4_XS, qwen3-gutenberg-4m.llama-imatrix.gguf, 9ee686d13e03435b890d3c8fefe369bab62bf0ae55c57f555a50a178faaaebdc",
            // the grid i-quants' recipes (llama.cpp 80fb11a): every type of them, IQ2_XXS with both matrices
            "preset, IQ3_M, qwen3-gutenberg-4m.llama-imatrix.gguf, c84f02d5e303c9138a428a45602750d0a6275842292f60955b3a38215a88735d",
            "preset, IQ3_S, qwen3-gutenberg-4m.llama-imatrix.gguf, 9673b332ce1d8214a61d5bd9b379ca8a9c2709faf801f1cfd9a66e1001b440cd",
            "preset, IQ3_XS, qwen3-gutenberg-4m.llama-imatrix.gguf, 0ca9312b4c0fe60cd23b01a32d10b8d1f4f6b96c326015215eb92a1f26ccd0a9",
            "preset, IQ3_XXS, qwen3-gutenberg-4m.llama-imatrix.gguf, a4dc28694ee60d2981ff39371b5f05701ef3a431fc70723a7dfc19a32f220946",
            "preset, IQ2_M, qwen3-gutenberg-4m.llama-imatrix.gguf, 1e436030b3558faf7fd04ea905e4cc0b4f5f8d73654660803053685ad2908b17",
            "preset, IQ2_S, qwen3-gutenberg-4m.llama-imatrix.gguf, f36e1611bebc98d86472b106c660b0aae9aafe3414fe0a8520688d6e25deb576",
            "preset, IQ2_XS, qwen3-gutenberg-4m.llama-imatrix.gguf, 4f8a458b48711089a8807be243f1864938beb889b4962da81cd2c03ecdf764cc",
            "preset, IQ2_XXS, qwen3-gutenberg-4m.llama-imatrix.gguf, 43ffbfc167c6abecad60d39143556864fa17ce835178cbb3f364df98802c0758",
            "preset, IQ2_XXS, qwen3-gutenberg-4m.swan-selfcal.imatrix, bbc013245327bbf5fd8d716d918d3d83ed16340e2d6c64f596fdd20e7481b091",
            "preset, IQ1_M, qwen3-gutenberg-4m.llama-imatrix.gguf, 2fb7208100bcc3ee6a1d98d02ae51ba42fc75716e8eac9a2dd2cb0c232dac8e7",
            "preset, IQ1_S, qwen3-gutenberg-4m.llama-imatrix.gguf, 5843389573e2230b248d0f9a0fcbb38b604c55203b03eba23de7e2f22f60d4df",
            "preset, IQ1_S, qwen3-gutenberg-4m.swan-selfcal.imatrix, dc44cea33594f240eeab3be5f9b9e12bc2449f0a94421f2feda2a09b7a6f05a3"})
    void equalsLlamaQuantizeWithTheSameImatrix(String key, String name, String imatrix, String sha256) throws Exception {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put(key, name);
        options.put("importance", "llama-quantize");
        options.put("imatrix", resource(imatrix).toString());
        String with = hash(write(options, "with"));
        assertEquals(sha256, with, key + " " + name + " with " + imatrix);
        options.remove("imatrix");
        assertNotEquals(with, hash(write(options, "without")), "the matrix changes the bytes");
    }

    private Path write(Map<String, Object> options, String label) throws Exception {
        GgufFormat gguf = new GgufFormat();
        Parameters p = Parameters.resolve("gguf", gguf.parameters(), options, "test");
        Path out = tmp.resolve(label + ".gguf");
        try (ModelDir m = ModelFolder.open(SharedModels.model("qwen3-gutenberg-4m"))) {
            List<TensorDecision> d = new ArrayList<>();
            for (TensorInfo t : m.tensors()) d.add(new TensorDecision(t.name(), t.rank() == 2 ? 8 : 16, 0, "test", Double.NaN));
            // two threads, as CI has: the 1-bit searches are slow (and the bytes do not depend on the threads)
            java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
            try {
                gguf.write(m, new AllocationPlan("uniform", Map.of(), d), out,
                        new FormatContext(p, Parallel.of(pool), ProgressSink.NONE, "test"));
            } finally {
                pool.shutdown();
            }
        }
        return out;
    }

    /** SHA-256 over every tensor sorted by name: its name, its type id (one byte), its data. */
    static String hash(Path gguf) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (GgufReader r = GgufReader.open(gguf)) {
            TreeMap<String, GgufReader.Info> byName = new TreeMap<>();
            for (GgufReader.Info t : r.tensors()) byName.put(t.name(), t);
            for (GgufReader.Info t : byName.values()) {
                md.update(t.name().getBytes(StandardCharsets.UTF_8));
                md.update((byte) t.type().id());
                byte[] b = new byte[(int) t.bytes()];
                r.read(t, 0, b, b.length);
                md.update(b);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
