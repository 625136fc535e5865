package dev.nimbus.server.http;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may call the server: loopback HTTP origins on the server's own port,
 * plus exact origins from {@code --cors-allow-origin} / {@code NIMBUS_CORS_ALLOW_ORIGINS}.
 * Origins are normalized to {@code scheme://host[:port]} (lowercase, default port dropped);
 * wildcards, bare hosts and paths are refused when configured.
 */
public final class OriginPolicy {
    private final int port;
    private final Set<String> extra;
    private final String scheme;

    public OriginPolicy(int port, List<String> allowed) {
        this(port, allowed, false);
    }

    public OriginPolicy(int port, List<String> allowed, boolean tls) {
        this.port = port;
        this.scheme = tls ? "https" : "http";
        Set<String> normalized = new LinkedHashSet<>();
        for (String a : allowed) {
            normalized.add(normalizeConfigured(a));
        }
        this.extra = Set.copyOf(normalized);
    }

    /** Whether a request carrying this Origin header may proceed. */
    public boolean allows(String origin) {
        String n = normalize(origin);
        if (n == null) {
            return false;
        }
        return n.equals(scheme + "://127.0.0.1:" + port) || n.equals(scheme + "://localhost:" + port)
                || n.equals(scheme + "://[::1]:" + port) || extra.contains(n);
    }

    /** The normalized form of a configured origin; a clear error for anything else. */
    public static String normalizeConfigured(String origin) {
        if (origin.contains("*")) {
            throw new IllegalArgumentException("CORS origin '" + origin + "': wildcards are not allowed; list exact origins");
        }
        String n = normalize(origin);
        if (n == null) {
            throw new IllegalArgumentException("CORS origin '" + origin + "' must be scheme://host[:port] (http or https)");
        }
        return n;
    }

    /** {@code scheme://host[:port]} lowercase without the scheme's default port, or null if not an origin. */
    static String normalize(String origin) {
        try {
            URI u = new URI(origin.trim());
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null
                    || u.getUserInfo() != null || (u.getRawPath() != null && !u.getRawPath().isEmpty())
                    || u.getRawQuery() != null || u.getRawFragment() != null) {
                return null;
            }
            int p = u.getPort();
            boolean defaultPort = p == -1 || (scheme.equals("http") && p == 80) || (scheme.equals("https") && p == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + p);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
