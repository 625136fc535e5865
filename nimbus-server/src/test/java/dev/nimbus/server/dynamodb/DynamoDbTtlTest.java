package dev.nimbus.server.dynamodb;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

import java.nio.file.Path;
import java.util.Map;

import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.fails;
import static org.assertj.core.api.Assertions.assertThat;

/** UpdateTimeToLive / DescribeTimeToLive and the sweeper deleting expired items through the engine. */
class DynamoDbTtlTest {
    @TempDir
    Path dir;
    DynamoDbServerFixture f;
    DynamoDbClient ddb;

    @BeforeEach
    void start() {
        f = new DynamoDbServerFixture(dir);
        ddb = f.client;
        DynamoDbTableLifecycleTest.createOrders(ddb, "Sessions");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static Map<String, AttributeValue> item(String pk, Map<String, AttributeValue> more) {
        java.util.HashMap<String, AttributeValue> m = new java.util.HashMap<>(more);
        m.put("pk", AttributeValue.fromS(pk));
        m.put("sk", AttributeValue.fromN("1"));
        return m;
    }

    @Test
    void expiredItemsAreDeletedOnceTtlIsEnabled() {
        assertThat(ddb.describeTimeToLive(b -> b.tableName("Sessions")).timeToLiveDescription().timeToLiveStatus())
                .isEqualTo(TimeToLiveStatus.DISABLED);
        long now = System.currentTimeMillis() / 1000;
        ddb.putItem(b -> b.tableName("Sessions").item(item("old", Map.of("expires", AttributeValue.fromN(Long.toString(now - 60))))));
        ddb.putItem(b -> b.tableName("Sessions").item(item("fresh", Map.of("expires", AttributeValue.fromN(Long.toString(now + 3600))))));
        ddb.putItem(b -> b.tableName("Sessions").item(item("text", Map.of("expires", AttributeValue.fromS("yesterday")))));
        ddb.putItem(b -> b.tableName("Sessions").item(item("ancient", Map.of("expires", AttributeValue.fromN("1000")))));
        DynamoDbListener listener = f.server.dynamodb().orElseThrow();
        assertThat(listener.sweepExpiredNow()).isZero(); // TTL not enabled yet

        ddb.updateTimeToLive(b -> b.tableName("Sessions").timeToLiveSpecification(t -> t.enabled(true).attributeName("expires")));
        assertThat(ddb.describeTimeToLive(b -> b.tableName("Sessions")).timeToLiveDescription().attributeName()).isEqualTo("expires");
        fails(() -> ddb.updateTimeToLive(b -> b.tableName("Sessions").timeToLiveSpecification(t -> t.enabled(true)
                .attributeName("expires"))), "ValidationException", "TimeToLive is already enabled");

        assertThat(listener.sweepExpiredNow()).isEqualTo(1);
        assertThat(ddb.scan(b -> b.tableName("Sessions")).items()).extracting(i -> i.get("pk").s())
                .containsExactlyInAnyOrder("fresh", "text", "ancient");

        ddb.updateTimeToLive(b -> b.tableName("Sessions").timeToLiveSpecification(t -> t.enabled(false).attributeName("expires")));
        assertThat(ddb.describeTimeToLive(b -> b.tableName("Sessions")).timeToLiveDescription().timeToLiveStatus())
                .isEqualTo(TimeToLiveStatus.DISABLED);
    }
}
