package dev.nimbus.server;

import java.nio.file.Path;

/**
 * How a server runs.
 *
 * @param host          address to bind; loopback by default
 * @param port          port to bind; 0 picks a free one
 * @param storage       the tenant provider and its settings
 * @param tokenFile     the admin token file
 * @param bodyBytesMax  largest request body accepted (bigger: 413)
 * @param allowNetwork  whether a non-loopback host may be bound (also needs a rotated token)
 * @param wsHelloTimeoutMillis how long a WebSocket client has to send client_hello (Nimbus: 10 s)
 * @param auditLog      the access audit log (JSON lines, 0600)
 * @param corsAllowOrigins extra exact browser origins allowed besides loopback on this port
 * @param tls           certificate chain and private key (PEM) to serve HTTPS/WSS, or null for plain HTTP
 * @param dynamodb      the DynamoDB listener; off unless the CLI (or a test) turns it on
 */
public record ServerConfig(String host, int port, StorageSettings storage, Path tokenFile, int bodyBytesMax,
                           boolean allowNetwork, long wsHelloTimeoutMillis, Path auditLog,
                           java.util.List<String> corsAllowOrigins, Tls tls,
                           dev.nimbus.server.dynamodb.DynamoDbSettings dynamodb) {
    /** {@code --tls-cert} and {@code --tls-key}: PEM files, given together. */
    public record Tls(Path certificateChain, Path privateKey) {
        public Tls {
            java.util.Objects.requireNonNull(certificateChain, "--tls-cert");
            java.util.Objects.requireNonNull(privateKey, "--tls-key");
        }
    }

    public ServerConfig {
        corsAllowOrigins = java.util.List.copyOf(corsAllowOrigins);
        corsAllowOrigins.forEach(dev.nimbus.server.http.OriginPolicy::normalizeConfigured); // refuse bad ones at start
        java.util.Objects.requireNonNull(dynamodb, "dynamodb");
    }

    public static final long WS_HELLO_TIMEOUT_MILLIS = 10_000;

    public ServerConfig(String host, int port, StorageSettings storage, Path tokenFile, int bodyBytesMax,
                        boolean allowNetwork) {
        this(host, port, storage, tokenFile, bodyBytesMax, allowNetwork, WS_HELLO_TIMEOUT_MILLIS, auditLogFor(tokenFile),
                java.util.List.of(), null, dev.nimbus.server.dynamodb.DynamoDbSettings.DISABLED);
    }

    /**
     * The documented audit log path for the documented token file; beside a token file placed
     * elsewhere (an isolated installation, a test), so the two stay together.
     */
    static Path auditLogFor(Path tokenFile) {
        return tokenFile.toAbsolutePath().equals(dev.nimbus.server.auth.AdminToken.defaultPath().toAbsolutePath())
                ? dev.nimbus.server.auth.AccessAudit.defaultPath() : tokenFile.resolveSibling("access.jsonl");
    }

    /** Room for a 16 MiB document in its JSON request body. */
    public static final int BODY_BYTES_MAX_DEFAULT = 20 * 1024 * 1024;
    public static final int HEADER_BYTES_MAX = 16 * 1024;
    public static final int INITIAL_LINE_BYTES_MAX = 8 * 1024;

    public static ServerConfig defaults(Path dataDir, Path tokenFile) {
        return new ServerConfig("127.0.0.1", 8080, new StorageSettings.Sqlite(dataDir), tokenFile,
                BODY_BYTES_MAX_DEFAULT, false);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, storage, tokenFile, bodyBytesMax, allowNetwork, wsHelloTimeoutMillis, auditLog, corsAllowOrigins, tls, dynamodb);
    }

    public ServerConfig withHost(String h, boolean allow) {
        return new ServerConfig(h, port, storage, tokenFile, bodyBytesMax, allow, wsHelloTimeoutMillis, auditLog, corsAllowOrigins, tls, dynamodb);
    }

    public ServerConfig withWsHelloTimeoutMillis(long millis) {
        return new ServerConfig(host, port, storage, tokenFile, bodyBytesMax, allowNetwork, millis, auditLog, corsAllowOrigins, tls, dynamodb);
    }

    public ServerConfig withCorsAllowOrigins(java.util.List<String> origins) {
        return new ServerConfig(host, port, storage, tokenFile, bodyBytesMax, allowNetwork, wsHelloTimeoutMillis, auditLog,
                origins, tls, dynamodb);
    }

    public ServerConfig withTls(Tls t) {
        return new ServerConfig(host, port, storage, tokenFile, bodyBytesMax, allowNetwork, wsHelloTimeoutMillis, auditLog,
                corsAllowOrigins, t, dynamodb);
    }

    public ServerConfig withBodyBytesMax(int max) {
        return new ServerConfig(host, port, storage, tokenFile, max, allowNetwork, wsHelloTimeoutMillis, auditLog, corsAllowOrigins, tls, dynamodb);
    }

    public ServerConfig withDynamoDb(dev.nimbus.server.dynamodb.DynamoDbSettings d) {
        return new ServerConfig(host, port, storage, tokenFile, bodyBytesMax, allowNetwork, wsHelloTimeoutMillis, auditLog,
                corsAllowOrigins, tls, d);
    }

    public boolean loopback() {
        return host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost") || host.equals("[::1]");
    }
}
