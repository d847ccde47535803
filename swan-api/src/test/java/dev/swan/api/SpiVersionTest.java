package dev.swan.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The SPI version has one source: the constant plugins inline is generated from it, as are the bundle's exports. */
class SpiVersionTest {
    @Test
    void constantMatchesTheBundleManifest() throws Exception {
        Path mf = Path.of("target", "classes", "META-INF", "MANIFEST.MF");
        assertTrue(Files.exists(mf), "bnd writes the manifest before the tests run");
        try (InputStream in = Files.newInputStream(mf)) {
            var main = new Manifest(in).getMainAttributes();
            assertTrue(SpiVersion.CURRENT.matches("\\d+\\.\\d+"), SpiVersion.CURRENT);
            assertEquals(SpiVersion.CURRENT, main.getValue("Swan-Spi-Version"));
            assertTrue(main.getValue("Export-Package").contains("dev.swan.api;version=\"" + SpiVersion.CURRENT + "\""),
                    main.getValue("Export-Package"));
        }
    }

    @Test
    void compatibility() {
        assertTrue(SpiVersion.isCompatible(SpiVersion.CURRENT));
        assertTrue(SpiVersion.isCompatible("1.0"));
        assertFalse(SpiVersion.isCompatible("2.0"));
        assertFalse(SpiVersion.isCompatible("x"));
    }
}
