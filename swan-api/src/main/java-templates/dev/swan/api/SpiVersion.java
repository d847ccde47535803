package dev.swan.api;

/**
 * The version of the plugin SPI. A plugin reports the version it was compiled against by returning
 * {@link #CURRENT} from {@link SwanPlugin#spiVersion()}: the constant is inlined into the plugin's class
 * file at compile time, so the launcher sees the plugin's version, not its own. Same major and a minor
 * not newer than the launcher's are compatible.
 *
 * <p>Generated at build time from the build's {@code swan.spi.version}, the same value the bundle's
 * exported packages carry, so the two cannot differ.
 */
public final class SpiVersion {
    /** major.minor of this SPI. */
    public static final String CURRENT = "${swan.spi.version}";

    private SpiVersion() {
    }

    /** True when a plugin built against {@code pluginVersion} can run on this SPI. */
    public static boolean isCompatible(String pluginVersion) {
        int[] p = parse(pluginVersion);
        int[] c = parse(CURRENT);
        return p != null && p[0] == c[0] && p[1] <= c[1];
    }

    private static int[] parse(String v) {
        if (v == null) return null;
        String[] parts = v.split("\\.");
        try {
            return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
