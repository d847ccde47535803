package dev.swan.launcher;

import dev.swan.api.SpiVersion;
import dev.swan.toolkit.numeric.MatMul;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code swan --version}: tool version, SPI version, Java and kernel implementation. */
public final class VersionProvider implements IVersionProvider {

    /** The tool version from the build (version.properties), "dev" when run from classes. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"swan " + version() + " (plugin SPI " + SpiVersion.CURRENT + ")",
                "Java " + System.getProperty("java.version") + ", kernels " + MatMul.implementation()
                        + (MatMul.implementation().equals("scalar")
                        ? " here (bin/swan starts the Vector API for analyze, quantize, run, bench and demo)" : "")};
    }
}
