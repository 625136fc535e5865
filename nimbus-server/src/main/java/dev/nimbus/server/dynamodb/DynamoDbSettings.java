package dev.nimbus.server.dynamodb;

import java.nio.file.Path;
import java.util.List;

/**
 * How the DynamoDB listener runs.
 *
 * @param enabled         whether to serve it at all ({@code --no-dynamodb} turns it off)
 * @param host            address to bind; loopback unless {@code --allow-network}
 * @param port            port to bind; 0 picks a free one (tests)
 * @param portPinned      {@code --dynamodb-port} given: a busy port is a fatal startup error;
 *                        otherwise a busy port skips the listener with a warning
 * @param accessKeys      {@code KEY_ID:SECRET:TENANT} specs; none: a generated key in
 *                        {@code credentialsFile}, bound to tenant {@code default}
 * @param credentialsFile where the generated key lives ({@code wire-credentials.json}, 0600);
 *                        null: in the data dir (SQLite) or beside the admin token file
 * @param ttlSweepMillis  how often expired TTL items are deleted; 0 turns the sweeper off
 */
public record DynamoDbSettings(boolean enabled, String host, int port, boolean portPinned, List<String> accessKeys,
                               Path credentialsFile, long ttlSweepMillis) {
    /** DynamoDB Local's conventional port. */
    public static final int DEFAULT_PORT = 8000;
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Nimbus sweeps TTL every 60 s by default. */
    public static final long TTL_SWEEP_MILLIS_DEFAULT = 60_000;
    /** Largest request body; bigger gets 413 before it is buffered. */
    public static final int BODY_BYTES_MAX = 16 * 1024 * 1024;

    public DynamoDbSettings {
        accessKeys = List.copyOf(accessKeys);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--dynamodb-port must be 0-65535");
        }
        if (ttlSweepMillis < 0) {
            throw new IllegalArgumentException("the TTL sweep interval must not be negative");
        }
    }

    /** Off: what a plain {@link dev.nimbus.server.ServerConfig} gets unless the CLI turns it on. */
    public static final DynamoDbSettings DISABLED = new DynamoDbSettings(false, DEFAULT_HOST, DEFAULT_PORT, false,
            List.of(), null, TTL_SWEEP_MILLIS_DEFAULT);

    /** On at the conventional address (what {@code nimbus start} and {@code nimbus dev} use). */
    public static DynamoDbSettings conventional() {
        return new DynamoDbSettings(true, DEFAULT_HOST, DEFAULT_PORT, false, List.of(), null, TTL_SWEEP_MILLIS_DEFAULT);
    }

    /** On at an ephemeral loopback port with explicit keys (tests, embedding). */
    public static DynamoDbSettings ephemeral(List<String> accessKeys) {
        return new DynamoDbSettings(true, DEFAULT_HOST, 0, true, accessKeys, null, TTL_SWEEP_MILLIS_DEFAULT);
    }

    public DynamoDbSettings withTtlSweepMillis(long millis) {
        return new DynamoDbSettings(enabled, host, port, portPinned, accessKeys, credentialsFile, millis);
    }

    public boolean loopback() {
        return host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost") || host.equals("[::1]");
    }
}
