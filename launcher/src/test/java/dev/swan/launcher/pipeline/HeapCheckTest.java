package dev.swan.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.api.model.ModelDir;
import dev.swan.api.synthetic.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A heap too small for the largest tensor is refused before any work, naming it and a heap that will do. */
class HeapCheckTest {
    @TempDir
    Path tmp;

    @Test
    void namesTheLargestTensorAndAHeapSize() throws IOException {
        // zero data (sparse): the check reads shapes only
        SyntheticModel.write(SyntheticModel.llama().withSize(1024, 2816, 1, 16, 4, 64, 32000).withZeroData(true), tmp);
        try (ModelDir m = ModelDir.open(tmp)) {
            // embed_tokens 32000×1024: 131 MB of floats plus (32000 + 1024)·256·12 B of sketches
            HeapTooSmallException e = assertThrows(HeapTooSmallException.class, () -> AnalysisEngine.checkHeap(m, 200L << 20));
            assertTrue(e.getMessage().startsWith("model.embed_tokens.weight needs about ")
                    && e.getMessage().contains("SWAN_JAVA_OPTS=-Xmx1g"), e.getMessage());
            AnalysisEngine.checkHeap(m, 1L << 30);
        }
    }
}
