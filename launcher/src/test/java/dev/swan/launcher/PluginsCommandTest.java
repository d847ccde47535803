package dev.swan.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PluginsCommandTest {

    @Test
    void listsPluginsAsJson() {
        Cli r = Cli.run("plugins", "--json");
        assertEquals(0, r.exit(), r.toString());
    }
}
