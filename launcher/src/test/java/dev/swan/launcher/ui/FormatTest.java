package dev.swan.launcher.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Sizes as users write them: decimal and binary units, with or without the B, any case. */
class FormatTest {
    @Test
    void sizesUsersWrite() {
        assertEquals(4_500_000_000L, Format.parseSize("4.5G"));
        assertEquals(4_500_000_000L, Format.parseSize("4.5GB"));
        assertEquals((long) (4.5 * (1L << 30)), Format.parseSize("4.5GiB"));
        assertEquals(900_000_000L, Format.parseSize("900M"));
        assertEquals(900L << 20, Format.parseSize("900 MiB"));
        assertEquals(512_000L, Format.parseSize("512k"));
        assertEquals(512L << 10, Format.parseSize("512KiB"));
        assertEquals(12345L, Format.parseSize("12345B"));
        assertEquals(1_000_000_000L, Format.parseSize("1e9"));
        assertThrows(NumberFormatException.class, () -> Format.parseSize("lots"));
        assertThrows(NumberFormatException.class, () -> Format.parseSize("-1G"));
    }
}
