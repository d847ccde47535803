package dev.swan.api;

import dev.swan.api.model.ModelConfig;
import dev.swan.api.model.ModelDir;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Writes a model in a runtime's format following an allocation plan, and checks such outputs.
 *
 * <p>The launcher calls {@link #check} before any work, {@link #write} with a temporary target that it
 * renames into place only when the write returns normally, and {@link #verify} for {@code swan verify}.
 * A format must stream: read, quantize and write tensor by tensor, never holding the whole model.
 *
 * <p>Minimal example (a format that stores the plan as text):
 * <pre>{@code
 * public final class PlanDump implements OutputFormat {
 *     public String id() { return "plan-dump"; }
 *     public String description() { return "the allocation plan as text"; }
 *     public String spiVersion() { return SpiVersion.CURRENT; }
 *     public boolean writesDirectory() { return false; }
 *     public String defaultOutputName(String model) { return model + ".plan.txt"; }
 *     public void check(ModelDir model, Parameters p) { }
 *     public TensorSizer sizer(ModelConfig config, Parameters p) { return (t, bits, g) -> 0; }
 *     public WriteReport write(ModelDir model, AllocationPlan plan, Path target, FormatContext ctx) throws IOException {
 *         Files.writeString(target, plan.decisions().toString());
 *         return new WriteReport(target, Files.size(target), List.of());
 *     }
 *     public boolean recognizes(Path output) { return output.toString().endsWith(".plan.txt"); }
 *     public VerifyReport verify(Path output, Optional<ModelDir> source, FormatContext ctx) {
 *         return new VerifyReport(output, List.of(), List.of());
 *     }
 * }
 * }</pre>
 */
public interface OutputFormat extends SwanPlugin {

    /** True when the output is a directory, false when it is a single file. */
    boolean writesDirectory();

    /** Default output name for a model directory named {@code modelName}. */
    String defaultOutputName(String modelName);

    /**
     * Refuses up front, with an {@link OutputException} or {@link ModelFormatException}, anything this
     * format cannot write (unsupported architecture, missing tokenizer, ...). Nothing is written yet.
     */
    void check(ModelDir model, Parameters parameters);

    /**
     * Bytes per tensor at a given precision in this format, for budgets and size predictions. Works from
     * the config alone (a manifest carries it), so plans can be re-made without the weights.
     */
    TensorSizer sizer(ModelConfig config, Parameters parameters);

    /** Writes the model to {@code target} (which does not exist yet) following {@code plan}. */
    WriteReport write(ModelDir model, AllocationPlan plan, Path target, FormatContext context) throws java.io.IOException;

    /** True when {@code output} looks like something this format wrote. */
    boolean recognizes(Path output);

    /** Re-reads an output and checks it as its runtime would; compares with {@code source} when given. */
    VerifyReport verify(Path output, Optional<ModelDir> source, FormatContext context) throws java.io.IOException;

    /**
     * The format options that make this format write a named baseline: with {@code recipe} false one type
     * for every quantized tensor (as {@code llama-quantize --pure Q4_0}), with {@code recipe} true the
     * runtime's own per-tensor mixture of that name (as {@code llama-quantize Q4_K_M}); empty when the
     * format has no baseline of that name. The launcher passes these options, so it knows no format's keys.
     */
    default Optional<java.util.Map<String, Object>> baseline(String name, boolean recipe) {
        return Optional.empty();
    }

    /**
     * The baseline (a {@link #baseline} name) whose size a plan takes when the user gives no target: the
     * size this runtime's users get by default, so the default plan is compared at equal size with what
     * they would otherwise use (e.g. {@code 4} for mlx_lm.convert -q, {@code Q4_K_M} for llama-quantize).
     */
    default Optional<String> defaultSizeBaseline() {
        return Optional.empty();
    }

    /**
     * Every way this format can store {@code tensor} with {@code parameters}, cheapest first, each with its
     * exact byte cost (for rate–distortion allocation); empty when the format offers no choice beyond the
     * plan's bits. Works from shapes alone, like {@link #sizer}.
     */
    default java.util.List<Encoding> encodings(TensorAnalysis tensor, ModelConfig config, Parameters parameters) {
        return java.util.List.of();
    }

    /**
     * The name tensor {@code tensor} has in this format's output (llama.cpp's {@code blk.0.attn_v.weight} for
     * GGUF), so options written for the runtime's own tools can name tensors as the runtime does; empty
     * when the output does not store it. The default: the same name.
     *
     * @since SPI 1.6
     */
    default Optional<String> storedName(String tensor, ModelConfig config) {
        return Optional.of(tensor);
    }

    /**
     * Opens an output of this format (one it {@link #recognizes}, whoever wrote it) in its stored form, for
     * evaluation; empty when this format offers no reader. Refuses with {@link ModelFormatException} what it
     * cannot read (a tensor type it does not know, say).
     */
    default Optional<StoredModel> openStored(Path output) throws java.io.IOException {
        return Optional.empty();
    }

    /**
     * Opens a file of this format as a model to quantize (a llama.cpp user's F16 GGUF, say), under Hugging Face
     * names, shapes and row order, with its config, tokenizer and side files translated into a folder of their
     * own ({@link ModelDir#path()}; {@link ModelDir#location()} names the file); empty when this format is not
     * a source. Float tensors come as stored; quantized ones are refused with {@link ModelFormatException}
     * unless {@code allowRequantize}, then dequantized as the runtime would and offered as F32.
     *
     * @since SPI 1.7
     */
    default Optional<ModelDir> openSource(Path path, boolean allowRequantize) throws java.io.IOException {
        return Optional.empty();
    }

    /**
     * Options of the runtime's own converter that one of this format's parameters means, by option name
     * ({@code --dtype} of mlx_lm.convert, {@code --override-kv} of llama-quantize) to parameter name: the
     * launcher accepts those options under the peer's names and passes their values (repeated ones joined by
     * {@code ;}) as that parameter, so it knows no format's keys.
     *
     * @since SPI 1.7
     */
    default java.util.Map<String, String> peerOptions() {
        return java.util.Map.of();
    }

    /** A quantizer for metrics to measure real target error, e.g. spec {@code mlx:4:64}; empty if not offered. */
    default Optional<Quantizer> quantizer(String spec) {
        return Optional.empty();
    }
}
