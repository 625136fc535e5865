package dev.nimbus.server.dynamodb;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.fails;
import static org.assertj.core.api.Assertions.assertThat;

/** BatchGetItem, BatchWriteItem, TransactWriteItems (cancellation reasons, idempotency) and TransactGetItems. */
class DynamoDbBatchTransactionTest {
    @TempDir
    static Path dir;
    static DynamoDbServerFixture f;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        f = new DynamoDbServerFixture(dir);
        ddb = f.client;
        DynamoDbTableLifecycleTest.createOrders(ddb, "Accounts");
        DynamoDbTableLifecycleTest.createOrders(ddb, "Ledger");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    static Map<String, AttributeValue> key(String pk, int sk) {
        return Map.of("pk", s(pk), "sk", n(Integer.toString(sk)));
    }

    static Map<String, AttributeValue> item(String pk, int sk, String balance) {
        Map<String, AttributeValue> m = new HashMap<>(key(pk, sk));
        m.put("balance", n(balance));
        return m;
    }

    @Test
    void batchWriteThenBatchGetAcrossTables() {
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item("batch", i, "1")).build()).build());
        }
        BatchWriteItemResponse written = ddb.batchWriteItem(b -> b.requestItems(Map.of("Accounts", writes,
                "Ledger", List.of(WriteRequest.builder().putRequest(p -> p.item(item("batch", 0, "9"))).build()))));
        assertThat(written.unprocessedItems()).isEmpty();
        ddb.batchWriteItem(b -> b.requestItems(Map.of("Accounts",
                List.of(WriteRequest.builder().deleteRequest(d -> d.key(key("batch", 19))).build()))));

        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 15; i < 20; i++) {
            keys.add(key("batch", i));
        }
        BatchGetItemResponse got = ddb.batchGetItem(b -> b.requestItems(Map.of(
                "Accounts", KeysAndAttributes.builder().keys(keys).projectionExpression("sk").build(),
                "Ledger", KeysAndAttributes.builder().keys(key("batch", 0)).build())));
        assertThat(got.responses().get("Accounts")).extracting(i -> i.get("sk").n())
                .containsExactlyInAnyOrder("15", "16", "17", "18");
        assertThat(got.responses().get("Accounts")).allSatisfy(i -> assertThat(i).containsOnlyKeys("sk"));
        assertThat(got.responses().get("Ledger").get(0).get("balance").n()).isEqualTo("9");
        assertThat(got.unprocessedKeys()).isEmpty();
    }

    @Test
    void batchLimitsAndDuplicatesAreRefused() {
        List<WriteRequest> tooMany = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            tooMany.add(WriteRequest.builder().putRequest(p -> p.item(item("many", 0, "1"))).build());
        }
        fails(() -> ddb.batchWriteItem(b -> b.requestItems(Map.of("Accounts", tooMany))), "ValidationException",
                "Member must have length less than or equal to 25");
        fails(() -> ddb.batchWriteItem(b -> b.requestItems(Map.of("Accounts", List.of(
                WriteRequest.builder().putRequest(p -> p.item(item("dup", 0, "1"))).build(),
                WriteRequest.builder().deleteRequest(d -> d.key(key("dup", 0))).build())))),
                "ValidationException", "Provided list of item keys contains duplicates");
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            keys.add(key("many", i));
        }
        fails(() -> ddb.batchGetItem(b -> b.requestItems(Map.of("Accounts", KeysAndAttributes.builder().keys(keys).build()))),
                "ValidationException", "Too many items requested for the BatchGetItem call");
    }

    @Test
    void transactionIsAllOrNothingWithCancellationReasons() {
        ddb.putItem(b -> b.tableName("Accounts").item(item("alice", 1, "100")));
        ddb.putItem(b -> b.tableName("Accounts").item(item("bob", 1, "5")));
        TransactionCanceledException e = (TransactionCanceledException) fails(() -> ddb.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().update(u -> u.tableName("Accounts").key(key("alice", 1))
                        .updateExpression("SET balance = balance - :a").expressionAttributeValues(Map.of(":a", n("50")))).build(),
                TransactWriteItem.builder().update(u -> u.tableName("Accounts").key(key("bob", 1))
                        .updateExpression("SET balance = balance + :a").conditionExpression("balance > :min")
                        .expressionAttributeValues(Map.of(":a", n("50"), ":min", n("10")))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build(),
                TransactWriteItem.builder().put(p -> p.tableName("Ledger").item(item("t1", 1, "50"))).build())),
                "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons "
                        + "[None, ConditionalCheckFailed, None]");
        assertThat(e.cancellationReasons()).extracting(CancellationReason::code)
                .containsExactly("None", "ConditionalCheckFailed", "None");
        assertThat(e.cancellationReasons().get(1).item().get("balance").n()).isEqualTo("5");
        // Nothing was applied.
        assertThat(ddb.getItem(b -> b.tableName("Accounts").key(key("alice", 1))).item().get("balance").n()).isEqualTo("100");
        assertThat(ddb.getItem(b -> b.tableName("Ledger").key(key("t1", 1))).hasItem()).isFalse();

        ddb.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().update(u -> u.tableName("Accounts").key(key("alice", 1))
                        .updateExpression("SET balance = balance - :a").expressionAttributeValues(Map.of(":a", n("50")))).build(),
                TransactWriteItem.builder().conditionCheck(c -> c.tableName("Accounts").key(key("bob", 1))
                        .conditionExpression("attribute_exists(pk)")).build(),
                TransactWriteItem.builder().put(p -> p.tableName("Ledger").item(item("t1", 1, "50"))).build(),
                TransactWriteItem.builder().delete(d -> d.tableName("Ledger").key(key("never", 1))).build()));
        List<Map<String, AttributeValue>> read = ddb.transactGetItems(b -> b.transactItems(
                TransactGetItem.builder().get(g -> g.tableName("Accounts").key(key("alice", 1))).build(),
                TransactGetItem.builder().get(g -> g.tableName("Ledger").key(key("t1", 1))).build(),
                TransactGetItem.builder().get(g -> g.tableName("Ledger").key(key("none", 1))).build()))
                .responses().stream().map(r -> r.item()).toList();
        assertThat(read.get(0).get("balance").n()).isEqualTo("50");
        assertThat(read.get(1).get("balance").n()).isEqualTo("50");
        assertThat(read.get(2)).isEmpty();

        fails(() -> ddb.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().put(p -> p.tableName("Ledger").item(item("same", 1, "1"))).build(),
                TransactWriteItem.builder().delete(d -> d.tableName("Ledger").key(key("same", 1))).build())),
                "ValidationException", "Transaction request cannot include multiple operations on one item");
    }

    @Test
    void clientRequestTokenMakesTheTransactionIdempotent() {
        ddb.putItem(b -> b.tableName("Accounts").item(item("counter", 1, "0")));
        TransactWriteItem increment = TransactWriteItem.builder().update(u -> u.tableName("Accounts").key(key("counter", 1))
                .updateExpression("SET balance = balance + :one").expressionAttributeValues(Map.of(":one", n("1")))).build();
        ddb.transactWriteItems(b -> b.clientRequestToken("token-1").transactItems(increment));
        ddb.transactWriteItems(b -> b.clientRequestToken("token-1").transactItems(increment));
        assertThat(ddb.getItem(b -> b.tableName("Accounts").key(key("counter", 1))).item().get("balance").n()).isEqualTo("1");
        fails(() -> ddb.transactWriteItems(b -> b.clientRequestToken("token-1").transactItems(
                TransactWriteItem.builder().delete(d -> d.tableName("Accounts").key(key("counter", 1))).build())),
                "IdempotentParameterMismatchException", "Request token has been used with different parameters");
        ddb.transactWriteItems(b -> b.clientRequestToken("token-2").transactItems(increment));
        assertThat(ddb.getItem(b -> b.tableName("Accounts").key(key("counter", 1))).item().get("balance").n()).isEqualTo("2");
    }
}
