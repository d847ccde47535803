package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swan.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 1- to 3-bit i-quants through the command line, on the shared 256-aligned model. */
class LowBitQuantizeTest {
    @TempDir
    Path tmp;

    /** The dry run forecasts the grid recipes' files to the byte. */
    @Test
    void dryRunPredictsTheGridRecipes() throws Exception {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        for (String recipe : new String[] {"IQ3_XS", "IQ2_M", "IQ1_S"}) {
            Path out = tmp.resolve(recipe + ".gguf");
            Cli dry = Cli.run("quantize", model, "-o", out.toString(), "--preset", recipe, "--dry-run");
            assertEquals(0, dry.exit(), dry.toString());
            Cli real = Cli.run("quantize", model, "-o", out.toString(), "--preset", recipe, "-q");
            assertEquals(0, real.exit(), real.toString());
            Matcher m = Pattern.compile("Predicted size:.*?\\bgguf ([0-9,]+) bytes").matcher(dry.out());
            assertTrue(m.find(), dry.out());
            assertEquals(Files.size(out), Long.parseLong(m.group(1).replace(",", "")), recipe);
        }
    }

    /**
     * IQ2_XXS without a dataset: llama-quantize refuses the recipe without an importance matrix; swan writes it
     * with equal column weights, and with self-calibration's matrix when asked (other bytes, a file that verifies
     * against the source either way).
     */
    @Test
    void iq2XxsWithoutADataset() throws Exception {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path plain = tmp.resolve("plain.gguf");
        Path calibrated = tmp.resolve("calibrated.gguf");
        Cli p = Cli.run("quantize", model, "-o", plain.toString(), "--preset", "IQ2_XXS", "-q");
        assertEquals(0, p.exit(), p.toString());
        Cli c = Cli.run("quantize", model, "-o", calibrated.toString(), "--preset", "IQ2_XXS", "--self-calibrate", "128", "-q");
        assertEquals(0, c.exit(), c.toString());
        assertEquals(Files.size(plain), Files.size(calibrated), "the same recipe, the same types");
        assertFalse(Arrays.equals(Files.readAllBytes(plain), Files.readAllBytes(calibrated)), "the matrix changes the bytes");
        for (Path f : new Path[] {plain, calibrated}) {
            Cli v = Cli.run("verify", f.toString(), "--source", model);
            assertEquals(0, v.exit(), v.toString());
        }
    }

    /**
     * The lattice i-quants are candidates only of plans below 4 bits per weight, and measured only there: the
     * default plan (Q4_K_M's size) does not spend qerror's time on them; a 3-bit target does.
     */
    @Test
    void costlyEncodingsAreMeasuredOnlyWhereThePlanMayUseThem() throws Exception {
        String model = SharedModels.model("qwen3-gutenberg-4m").toString();
        Path atDefault = tmp.resolve("default.json");
        Path atThree = tmp.resolve("three.json");
        assertEquals(0, Cli.run("analyze", model, "-f", "gguf", "-o", atDefault.toString(), "--self-calibrate", "0", "-q").exit());
        assertEquals(0, Cli.run("analyze", model, "-f", "gguf", "-o", atThree.toString(), "--self-calibrate", "0", "--target-bits", "3",
                "-q").exit());
        String d = Files.readString(atDefault);
        String t = Files.readString(atThree);
        assertTrue(d.contains("Q4_K") && !d.contains("IQ2_XXS") && !d.contains("IQ3_S"), "the default plan cannot use them");
        assertTrue(t.contains("IQ2_XXS") && t.contains("IQ3_S"), "a 3-bit plan measures them");
    }
}
