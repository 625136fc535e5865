package dev.nimbus.server.dynamodb;

import dev.nimbus.dynamodb.AccessKeys;
import dev.nimbus.dynamodb.DynamoDbService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.attr;
import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.fails;
import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapter caches each tenant's table catalog by the snapshot's commit sequence and reads a
 * request's catalog entry and items in one snapshot: catalog changes, by this endpoint or by
 * another server-side path, show on the very next request, and reads longer than the engine's
 * chunk continue exactly where the chunk ended.
 */
class DynamoDbCatalogCacheTest {
    @TempDir
    static Path dir;
    static DynamoDbServerFixture f;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        f = new DynamoDbServerFixture(dir);
        ddb = f.client;
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** A request through a second DynamoDbService on the same engine (another path to the catalog). */
    static DynamoDbService.Response viaOtherService(DynamoDbService other, String operation, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).protocol("http")
                .host("127.0.0.1").port(9).encodedPath("/")
                .putHeader("Content-Type", DynamoDbService.CONTENT_TYPE)
                .putHeader("X-Amz-Target", DynamoDbService.TARGET_PREFIX + operation).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.request(request)
                .payload(() -> new ByteArrayInputStream(body))
                .identity(AwsCredentialsIdentity.create(DynamoDbServerFixture.KEY_ID, DynamoDbServerFixture.SECRET))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb"));
        Map<String, String> headers = new HashMap<>();
        signed.request().forEachHeader((name, values) -> headers.putIfAbsent(name.toLowerCase(Locale.ROOT), values.getFirst()));
        headers.putIfAbsent("host", "127.0.0.1:9");
        return other.handle("POST", "/", headers, body);
    }

    @Test
    void catalogChangesByAnotherServerSidePathShowOnTheNextRequest() {
        var engine = f.server.engine();
        DynamoDbService other = new DynamoDbService(engine, new AccessKeys(engine, List.of(AccessKeys.parse(
                DynamoDbServerFixture.KEY_ID + ":" + DynamoDbServerFixture.SECRET + ":" + DynamoDbServerFixture.TENANT))),
                Clock.systemUTC());
        ddb.createTable(b -> b.tableName("Shifting").attributeDefinitions(attr("pk", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH)).billingMode(BillingMode.PAY_PER_REQUEST));
        ddb.putItem(b -> b.tableName("Shifting").item(Map.of("pk", AttributeValue.fromS("a"), "v", AttributeValue.fromS("1"))));
        Map<String, AttributeValue> byPk = Map.of("pk", AttributeValue.fromS("a"));
        for (int i = 0; i < 3; i++) { // warm: later lookups at this sequence come from the cache
            assertThat(ddb.getItem(b -> b.tableName("Shifting").key(byPk)).item()).containsEntry("v", AttributeValue.fromS("1"));
        }

        assertThat(viaOtherService(other, "DeleteTable", "{\"TableName\":\"Shifting\"}").status()).isEqualTo(200);
        fails(() -> ddb.getItem(b -> b.tableName("Shifting").key(byPk)), "ResourceNotFoundException", "");
        fails(() -> ddb.query(b -> b.tableName("Shifting").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("a")))), "ResourceNotFoundException", "");

        assertThat(viaOtherService(other, "CreateTable", "{\"TableName\":\"Shifting\",\"BillingMode\":\"PAY_PER_REQUEST\","
                + "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"}],"
                + "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}").status()).isEqualTo(200);
        // The table is back with another key: the old key no longer fits, the new one does.
        fails(() -> ddb.getItem(b -> b.tableName("Shifting").key(byPk)), "ValidationException", "key element does not match");
        ddb.putItem(b -> b.tableName("Shifting").item(Map.of("id", AttributeValue.fromN("7"))));
        assertThat(ddb.getItem(b -> b.tableName("Shifting").key(Map.of("id", AttributeValue.fromN("7")))).hasItem()).isTrue();
        assertThat(ddb.scan(b -> b.tableName("Shifting")).count()).isEqualTo(1);
    }

    @Test
    void queryAndScanLongerThanOneEngineChunkReadEveryItemOnce() {
        ddb.createTable(b -> b.tableName("Long").attributeDefinitions(attr("p", ScalarAttributeType.S), attr("n", ScalarAttributeType.N))
                .keySchema(key("p", KeyType.HASH), key("n", KeyType.RANGE)).billingMode(BillingMode.PAY_PER_REQUEST));
        int total = 1_234; // more than the adapter's 1,000-item engine chunk
        for (int from = 0; from < total; from += 25) {
            List<WriteRequest> writes = new ArrayList<>();
            for (int i = from; i < Math.min(total, from + 25); i++) {
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of("p", AttributeValue.fromS("all"),
                        "n", AttributeValue.fromN(Integer.toString(i)), "odd", AttributeValue.fromBool(i % 2 == 1))).build()).build());
            }
            assertThat(ddb.batchWriteItem(b -> b.requestItems(Map.of("Long", writes))).unprocessedItems()).isEmpty();
        }
        Map<String, AttributeValue> all = Map.of(":p", AttributeValue.fromS("all"));
        QueryResponse up = ddb.query(b -> b.tableName("Long").keyConditionExpression("p = :p").expressionAttributeValues(all));
        assertThat(numbers(up)).isEqualTo(range(0, total, 1));
        assertThat(up.scannedCount()).isEqualTo(total);
        assertThat(up.hasLastEvaluatedKey()).isFalse();

        QueryResponse down = ddb.query(b -> b.tableName("Long").keyConditionExpression("p = :p").expressionAttributeValues(all)
                .scanIndexForward(false));
        assertThat(numbers(down)).isEqualTo(range(total - 1, -1, -1));

        // A filter counts after the read: the Limit still cuts at 1,100 items read, across the chunk.
        QueryResponse odd = ddb.query(b -> b.tableName("Long").keyConditionExpression("p = :p").filterExpression("odd = :t")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("all"), ":t", AttributeValue.fromBool(true))).limit(1_100));
        assertThat(odd.scannedCount()).isEqualTo(1_100);
        assertThat(numbers(odd)).isEqualTo(range(1, 1_100, 2));
        assertThat(odd.lastEvaluatedKey().get("n").n()).isEqualTo("1099");
        QueryResponse rest = ddb.query(b -> b.tableName("Long").keyConditionExpression("p = :p").expressionAttributeValues(all)
                .exclusiveStartKey(odd.lastEvaluatedKey()));
        assertThat(numbers(rest)).isEqualTo(range(1_100, total, 1));

        List<Integer> scanned = new ArrayList<>(ddb.scan(b -> b.tableName("Long")).items().stream()
                .map(i -> Integer.parseInt(i.get("n").n())).toList());
        assertThat(scanned).hasSize(total).doesNotHaveDuplicates();
    }

    private static List<Integer> numbers(QueryResponse r) {
        return r.items().stream().map(i -> Integer.parseInt(i.get("n").n())).toList();
    }

    private static List<Integer> range(int from, int to, int step) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; step > 0 ? i < to : i > to; i += step) {
            out.add(i);
        }
        return out;
    }
}
