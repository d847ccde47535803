package dev.swan.launcher.hub;

import dev.swan.toolkit.model.HubCache;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to reach the hub, from the variables huggingface_hub reads: {@code HF_ENDPOINT} (default
 * https://huggingface.co), the cache ({@code HF_HUB_CACHE}, {@code HF_HOME/hub}, ~/.cache/huggingface/hub),
 * the token ({@code HF_TOKEN}, else the file {@code HF_TOKEN_PATH}, {@code HF_HOME/token} or
 * ~/.cache/huggingface/token that {@code hf auth login} writes) and {@code HF_HUB_OFFLINE}.
 *
 * @param endpoint the hub's base address, without a trailing slash
 * @param cache    the hub cache folder
 * @param token    the access token, if any
 * @param offline  true when nothing may be downloaded
 */
public record HubSettings(URI endpoint, Path cache, Optional<String> token, boolean offline) {

    public static HubSettings of(Map<String, String> env) {
        String endpoint = env.getOrDefault("HF_ENDPOINT", "");
        if (endpoint.isBlank()) endpoint = "https://huggingface.co";
        endpoint = endpoint.replaceAll("/+$", "");
        return new HubSettings(URI.create(endpoint), HubCache.root(env), token(env), truthy(env.get("HF_HUB_OFFLINE")));
    }

    private static boolean truthy(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on"));
    }

    private static Optional<String> token(Map<String, String> env) {
        String t = env.get("HF_TOKEN");
        if (t != null && !t.isBlank()) return Optional.of(t.trim());
        Path file;
        if (env.get("HF_TOKEN_PATH") != null && !env.get("HF_TOKEN_PATH").isBlank()) {
            file = Path.of(env.get("HF_TOKEN_PATH"));
        } else if (env.get("HF_HOME") != null && !env.get("HF_HOME").isBlank()) {
            file = Path.of(env.get("HF_HOME"), "token");
        } else {
            file = Path.of(System.getProperty("user.home"), ".cache", "huggingface", "token");
        }
        try {
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file).trim();
                if (!s.isEmpty()) return Optional.of(s);
            }
        } catch (IOException e) {
            // an unreadable token file is as good as none: the hub's 401 then says to log in
        }
        return Optional.empty();
    }
}
