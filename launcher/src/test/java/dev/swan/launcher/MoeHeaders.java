package dev.swan.launcher;

import dev.swan.toolkit.safetensors.SafetensorsWriter;
import dev.swan.testkit.SyntheticModel;
import dev.swan.api.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Header-only Qwen3-MoE checkpoints as Hugging Face publishes them (per-expert {@code mlp.experts.N.*_proj}
 * slices, router {@code mlp.gate}, sharded with an index), their data sparse zeros: the shapes of
 * Qwen3-30B-A3B or 235B-A22B at no disk cost, for header-only commands. Written by the fixture generator;
 * this names the shapes and the defects.
 */
record MoeHeaders(int hidden, int moeIntermediate, int layers, int heads, int kvHeads, int headDim, int vocab,
                  int experts, int perToken) {

    static MoeHeaders qwen3_30bA3b() {
        return new MoeHeaders(2048, 768, 48, 32, 4, 128, 151936, 128, 8);
    }

    static MoeHeaders qwen3_235bA22b() {
        return new MoeHeaders(4096, 1536, 94, 64, 4, 128, 151936, 128, 8);
    }

    /** The checkpoint as the fixture generator writes it: BF16, untied head, data left as sparse zeros. */
    SyntheticModel.Spec spec(long maxShardBytes) {
        return SyntheticModel.qwen3Moe().withSize(hidden, 8 * moeIntermediate, layers, heads, kvHeads, headDim, vocab)
                .withMoe(new SyntheticModel.Moe(experts, perToken, moeIntermediate, 0, false)).withDtype(DType.BF16)
                .withMaxShardBytes(maxShardBytes).withZeroData(true);
    }

    void write(Path dir, long maxShardBytes) throws IOException {
        write(dir, maxShardBytes, "");
    }

    /** With a {@code defect}: "missing" leaves out layer 1's last expert, "unequal" widens one expert, "router" drops a router row. */
    void write(Path dir, long maxShardBytes, String defect) throws IOException {
        String last = "model.layers.1.mlp.experts." + (experts - 1) + ".";
        SyntheticModel.write(spec(maxShardBytes), dir, entries -> {
            List<SafetensorsWriter.Entry> out = new ArrayList<>();
            for (SafetensorsWriter.Entry e : entries) {
                long[] shape = e.shape();
                if (defect.equals("missing") && e.name().startsWith(last)) continue;
                if (defect.equals("unequal") && e.name().equals("model.layers.1.mlp.experts.2.gate_proj.weight")) {
                    shape = new long[] {shape[0] + 8, shape[1]};
                }
                if (defect.equals("router") && e.name().equals("model.layers.1.mlp.gate.weight")) {
                    shape = new long[] {shape[0] - 1, shape[1]};
                }
                out.add(new SafetensorsWriter.Entry(e.name(), e.dtype(), shape));
            }
            return out;
        });
    }

    long parameters() {
        return spec(0).parameterCount();
    }
}
