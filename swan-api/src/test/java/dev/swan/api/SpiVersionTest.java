package dev.swan.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The SPI version is written twice (the constant plugins inline, the bundle's exports): they must agree. */
class SpiVersionTest {
    @Test
    void constantMatchesTheBundleManifest() throws Exception {
        Path mf = Path.of("target", "classes", "META-INF", "MANIFEST.MF");
        assertTrue(Files.exists(mf), "bnd writes the manifest before the tests run");
        try (InputStream in = Files.newInputStream(mf)) {
            String declared = new Manifest(in).getMainAttributes().getValue("Swan-Spi-Version");
            assertEquals(SpiVersion.CURRENT + ".0", declared, "pom.xml swan.spi.version and SpiVersion.CURRENT differ");
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
