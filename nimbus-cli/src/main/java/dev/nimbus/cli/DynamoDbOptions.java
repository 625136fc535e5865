package dev.nimbus.cli;

import dev.nimbus.server.dynamodb.DynamoDbSettings;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The DynamoDB listener flags shared by {@code nimbus start} and {@code nimbus dev}: on by
 * default at 127.0.0.1:8000 (a busy default port is skipped with a warning), {@code --no-dynamodb},
 * {@code --dynamodb-port} (pinned: busy is fatal), {@code --dynamodb-host} (non-loopback needs
 * {@code --allow-network}), {@code --dynamodb-access-key KEY_ID:SECRET:TENANT} (repeatable) or
 * {@code NIMBUS_DYNAMODB_ACCESS_KEYS} (comma-separated).
 */
final class DynamoDbOptions {
    @Option(names = "--no-dynamodb", description = "Do not serve the DynamoDB endpoint.")
    boolean disabled;

    @Option(names = "--dynamodb-port", description = "DynamoDB endpoint port (default 8000; a busy pinned port is an error).")
    Integer port;

    @Option(names = "--dynamodb-host", description = "DynamoDB endpoint address (default 127.0.0.1; others need --allow-network).")
    String host;

    @Option(names = "--dynamodb-access-key", paramLabel = "KEY_ID:SECRET:TENANT",
            description = "A DynamoDB access key bound to a tenant (repeatable; env NIMBUS_DYNAMODB_ACCESS_KEYS).")
    List<String> accessKeys;

    /**
     * @param mainPort the API port; with {@code --port 0} (an ephemeral port, as tests use) the
     *                 DynamoDB listener takes an ephemeral port too unless {@code --dynamodb-port} is given
     */
    DynamoDbSettings settings(Map<String, String> env, int mainPort) {
        if (disabled) {
            return DynamoDbSettings.DISABLED;
        }
        List<String> keys = new ArrayList<>();
        if (accessKeys != null && !accessKeys.isEmpty()) {
            keys.addAll(accessKeys);
        } else {
            String v = env.get("NIMBUS_DYNAMODB_ACCESS_KEYS");
            if (v != null && !v.isBlank()) {
                Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(keys::add);
            }
        }
        return new DynamoDbSettings(true, host != null ? host : DynamoDbSettings.DEFAULT_HOST,
                port != null ? port : mainPort == 0 ? 0 : DynamoDbSettings.DEFAULT_PORT, port != null, keys, null,
                DynamoDbSettings.TTL_SWEEP_MILLIS_DEFAULT);
    }
}
