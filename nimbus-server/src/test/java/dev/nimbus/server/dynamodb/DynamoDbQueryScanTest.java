package dev.nimbus.server.dynamodb;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.attr;
import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.fails;
import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;

/** Query and Scan: key conditions, order, filters, pagination, LSIs/GSIs with projections, segments. */
class DynamoDbQueryScanTest {
    @TempDir
    static Path dir;
    static DynamoDbServerFixture f;
    static DynamoDbClient ddb;

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    @BeforeAll
    static void start() {
        f = new DynamoDbServerFixture(dir);
        ddb = f.client;
        ddb.createTable(b -> b.tableName("Events")
                .attributeDefinitions(attr("user", ScalarAttributeType.S), attr("ts", ScalarAttributeType.N),
                        attr("kind", ScalarAttributeType.S), attr("score", ScalarAttributeType.N))
                .keySchema(key("user", KeyType.HASH), key("ts", KeyType.RANGE))
                .localSecondaryIndexes(LocalSecondaryIndex.builder().indexName("byScore")
                        .keySchema(key("user", KeyType.HASH), key("score", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("byKind")
                        .keySchema(key("kind", KeyType.HASH), key("ts", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE).nonKeyAttributes("note").build())
                        .build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        // Numbers chosen so that string order would differ from numeric order; 1e1 is the key 10 again
        // (it replaces that item: ann ends with 5 items, the one with score 99 is gone).
        String[] ts = {"9", "10", "100", "-5", "2.5", "1e1"};
        for (int i = 0; i < ts.length; i++) {
            int k = i;
            ddb.putItem(b -> b.tableName("Events").item(Map.of("user", s("ann"), "ts", n(ts[k]), "kind", s(k % 2 == 0 ? "click" : "view"),
                    "score", n(Integer.toString(100 - k)), "note", s("n" + k), "secret", s("s" + k))));
        }
        ddb.putItem(b -> b.tableName("Events").item(Map.of("user", s("bob"), "ts", n("1"), "kind", s("click"), "note", s("bob"))));
        ddb.createTable(b -> b.tableName("Blobs")
                .attributeDefinitions(attr("id", ScalarAttributeType.S), attr("k", ScalarAttributeType.B))
                .keySchema(key("id", KeyType.HASH), key("k", KeyType.RANGE)).billingMode(BillingMode.PAY_PER_REQUEST));
        for (byte[] k : List.of(new byte[]{(byte) 0x80}, new byte[]{0x01}, new byte[]{0x01, 0x00}, new byte[]{0x7f})) {
            ddb.putItem(b -> b.tableName("Blobs").item(Map.of("id", s("x"), "k", AttributeValue.fromB(SdkBytes.fromByteArray(k)))));
        }
        ddb.createTable(b -> b.tableName("Words")
                .attributeDefinitions(attr("p", ScalarAttributeType.S), attr("w", ScalarAttributeType.S))
                .keySchema(key("p", KeyType.HASH), key("w", KeyType.RANGE)).billingMode(BillingMode.PAY_PER_REQUEST));
        for (String w : List.of("b", "a", "ab", "B", "é", "\uD83D\uDE00", "\uFFFD", "aa")) {
            ddb.putItem(b -> b.tableName("Words").item(Map.of("p", s("x"), "w", s(w))));
        }
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static List<String> ts(List<Map<String, AttributeValue>> items) {
        return items.stream().map(i -> i.get("ts").n()).toList();
    }

    @Test
    void queryReturnsItemsInNumericSortKeyOrderBothWays() {
        QueryResponse up = ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u")
                .expressionAttributeNames(Map.of("#u", "user")).expressionAttributeValues(Map.of(":u", s("ann"))));
        assertThat(ts(up.items())).containsExactly("-5", "2.5", "9", "10", "100");
        assertThat(up.count()).isEqualTo(5);
        assertThat(up.hasLastEvaluatedKey()).isFalse();
        QueryResponse down = ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u AND ts BETWEEN :a AND :b")
                .expressionAttributeNames(Map.of("#u", "user"))
                .expressionAttributeValues(Map.of(":u", s("ann"), ":a", n("0"), ":b", n("10"))).scanIndexForward(false));
        assertThat(ts(down.items())).containsExactly("10", "9", "2.5");
    }

    @Test
    void stringAndBinarySortKeysFollowDynamoDbsByteOrder() {
        List<String> words = ddb.query(b -> b.tableName("Words").keyConditionExpression("p = :p")
                .expressionAttributeValues(Map.of(":p", s("x")))).items().stream().map(i -> i.get("w").s()).toList();
        assertThat(words).containsExactly("B", "a", "aa", "ab", "b", "é", "\uFFFD", "\uD83D\uDE00");
        List<Integer> first = ddb.query(b -> b.tableName("Blobs").keyConditionExpression("id = :x")
                .expressionAttributeValues(Map.of(":x", s("x")))).items().stream()
                .map(i -> i.get("k").b().asByteArray()[0] & 0xff).toList();
        assertThat(first).containsExactly(0x01, 0x01, 0x7f, 0x80);
        assertThat(ddb.query(b -> b.tableName("Blobs").keyConditionExpression("id = :x AND begins_with(k, :p)")
                .expressionAttributeValues(Map.of(":x", s("x"), ":p", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1})))))
                .count()).isEqualTo(2);
        assertThat(ddb.query(b -> b.tableName("Words").keyConditionExpression("p = :p AND begins_with(w, :a)")
                .expressionAttributeValues(Map.of(":p", s("x"), ":a", s("a")))).count()).isEqualTo(3);
    }

    @Test
    void limitAndFilterPageLikeDynamoDb() {
        List<String> seen = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        int scanned = 0;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u")
                    .filterExpression("kind = :k").expressionAttributeNames(Map.of("#u", "user"))
                    .expressionAttributeValues(Map.of(":u", s("ann"), ":k", s("click"))).limit(2).exclusiveStartKey(from));
            seen.addAll(ts(page.items()));
            scanned += page.scannedCount();
            assertThat(page.scannedCount()).isLessThanOrEqualTo(2);
            start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
            if (start != null) {
                assertThat(start).containsOnlyKeys("user", "ts");
            }
            pages++;
        } while (start != null && pages < 10);
        assertThat(seen).containsExactly("2.5", "9", "100");
        assertThat(seen).hasSize(3);
        assertThat(scanned).isEqualTo(5);
        assertThat(pages).isEqualTo(3); // the last full page still carries a LastEvaluatedKey

        QueryResponse count = ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u")
                .expressionAttributeNames(Map.of("#u", "user")).expressionAttributeValues(Map.of(":u", s("ann")))
                .select(Select.COUNT).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertThat(count.count()).isEqualTo(5);
        assertThat(count.hasItems()).isFalse();
        assertThat(count.consumedCapacity().capacityUnits()).isEqualTo(0.5);
    }

    @Test
    void indexesServeQueriesWithTheirProjections() {
        QueryResponse lsi = ddb.query(b -> b.tableName("Events").indexName("byScore").keyConditionExpression("#u = :u AND score > :s")
                .expressionAttributeNames(Map.of("#u", "user")).expressionAttributeValues(Map.of(":u", s("ann"), ":s", n("96"))));
        assertThat(lsi.items()).extracting(i -> i.get("score").n()).containsExactly("97", "98", "100");
        assertThat(lsi.items().get(0)).containsOnlyKeys("user", "ts", "score");

        QueryResponse gsi = ddb.query(b -> b.tableName("Events").indexName("byKind").keyConditionExpression("kind = :k")
                .expressionAttributeValues(Map.of(":k", s("click"))).limit(2));
        assertThat(gsi.items()).extracting(i -> i.get("ts").n()).containsExactly("1", "2.5");
        assertThat(gsi.items().get(0)).containsOnlyKeys("user", "ts", "kind", "note");
        assertThat(gsi.lastEvaluatedKey()).containsOnlyKeys("user", "ts", "kind");
        QueryResponse rest = ddb.query(b -> b.tableName("Events").indexName("byKind").keyConditionExpression("kind = :k")
                .expressionAttributeValues(Map.of(":k", s("click"))).exclusiveStartKey(gsi.lastEvaluatedKey()));
        assertThat(rest.items()).extracting(i -> i.get("ts").n()).containsExactly("9", "100");

        fails(() -> ddb.query(b -> b.tableName("Events").indexName("byKind").keyConditionExpression("kind = :k")
                .expressionAttributeValues(Map.of(":k", s("click"))).select(Select.ALL_ATTRIBUTES)),
                "ValidationException", "its projection type is not ALL");
        fails(() -> ddb.query(b -> b.tableName("Events").indexName("nope").keyConditionExpression("kind = :k")
                .expressionAttributeValues(Map.of(":k", s("click")))), "ValidationException",
                "The table does not have the specified index: nope");
        fails(() -> ddb.query(b -> b.tableName("Events").indexName("byKind").consistentRead(true).keyConditionExpression("kind = :k")
                .expressionAttributeValues(Map.of(":k", s("click")))), "ValidationException",
                "Consistent reads are not supported on global secondary indexes");
    }

    @Test
    void badKeyConditionsAreRefused() {
        fails(() -> ddb.query(b -> b.tableName("Events").keyConditionExpression("ts = :t")
                .expressionAttributeValues(Map.of(":t", n("1")))), "ValidationException",
                "Query condition missed key schema element: user");
        fails(() -> ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u OR ts = :t")
                .expressionAttributeNames(Map.of("#u", "user")).expressionAttributeValues(Map.of(":u", s("a"), ":t", n("1")))),
                "ValidationException", "Invalid operator used in KeyConditionExpression: OR");
        fails(() -> ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u").filterExpression("ts > :t")
                .expressionAttributeNames(Map.of("#u", "user")).expressionAttributeValues(Map.of(":u", s("a"), ":t", n("1")))),
                "ValidationException", "Filter Expression can only contain non-primary key attributes: Primary key attribute: ts");
        fails(() -> ddb.query(b -> b.tableName("Events").keyConditionExpression("#u = :u")
                .expressionAttributeNames(Map.of("#u", "user")).expressionAttributeValues(Map.of(":u", n("1")))),
                "ValidationException", "Condition parameter type does not match schema type");
    }

    @Test
    void scanPagesSegmentsAndIndexes() {
        Set<String> all = new HashSet<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = ddb.scan(b -> b.tableName("Events").limit(3).exclusiveStartKey(from));
            page.items().forEach(i -> all.add(i.get("user").s() + "/" + i.get("ts").n()));
            start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
            pages++;
        } while (start != null && pages < 10);
        assertThat(all).hasSize(6);

        Set<String> segmented = new HashSet<>();
        int total = 0;
        for (int seg = 0; seg < 3; seg++) {
            int segment = seg;
            ScanResponse r = ddb.scan(b -> b.tableName("Events").segment(segment).totalSegments(3));
            r.items().forEach(i -> segmented.add(i.get("user").s() + "/" + i.get("ts").n()));
            total += r.count();
        }
        assertThat(total).isEqualTo(6);
        assertThat(segmented).isEqualTo(all);

        ScanResponse filtered = ddb.scan(b -> b.tableName("Events").filterExpression("score >= :s AND attribute_exists(note)")
                .projectionExpression("note").expressionAttributeValues(Map.of(":s", n("98"))));
        assertThat(filtered.count()).isEqualTo(2);
        assertThat(filtered.scannedCount()).isEqualTo(6);
        assertThat(filtered.items()).allSatisfy(i -> assertThat(i).containsOnlyKeys("note"));

        // A sparse index: bob has no score, so the LSI holds only ann's items.
        assertThat(ddb.scan(b -> b.tableName("Events").indexName("byScore")).count()).isEqualTo(5);
        fails(() -> ddb.scan(b -> b.tableName("Events").segment(3).totalSegments(3)), "ValidationException",
                "The Segment parameter is zero-based and must be less than parameter TotalSegments");
    }
}
