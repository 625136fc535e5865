package dev.nimbus.server.dynamodb.differential;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins what the embedded DynamoDB Local 3.3.1 (the differential oracle) answers in the corners
 * the harness and the Nimbus adapter depend on, so that an upgrade that changes one is noticed.
 * See README.md, "DynamoDB Local behaviour".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbLocalQuirksTest {
    private static final String TABLE = "quirks";

    private DynamoDbLocalServer server;
    private DynamoDbClient c;

    @BeforeAll
    void start() throws Exception {
        server = DynamoDbLocalServer.startInMemory();
        c = server.endpoint("local").newClient();
        c.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
        List<String> spellings = List.of("1.50", "1E+10", "007", "-0.000");
        for (int i = 0; i < spellings.size(); i++) {
            int n = i;
            c.putItem(b -> b.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("p"),
                    "sk", AttributeValue.fromN(Integer.toString(n)), "v", AttributeValue.fromN(spellings.get(n)))));
        }
        for (int i = 0; i < 6; i++) {
            int n = i;
            c.putItem(b -> b.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("q" + n), "sk", AttributeValue.fromN("1"))));
        }
    }

    @AfterAll
    void stop() throws Exception {
        c.close();
        server.close();
    }

    private QueryResponse queryP(Integer limit) {
        return c.query(b -> b.tableName(TABLE).keyConditionExpression("pk = :p").limit(limit)
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p"))));
    }

    @Test
    void numbersComeBackInCanonicalSpelling() {
        assertThat(queryP(null).items()).extracting(i -> i.get("v").n()).containsExactly("1.5", "10000000000", "7", "0");
    }

    @Test
    void aFullPageCarriesLastEvaluatedKeyEvenWhenNothingRemains() {
        QueryResponse r = queryP(4);
        assertThat(r.count()).isEqualTo(4);
        assertThat(r.lastEvaluatedKey()).containsEntry("sk", AttributeValue.fromN("3"));
        QueryResponse next = c.query(b -> b.tableName(TABLE).keyConditionExpression("pk = :p").limit(4)
                .exclusiveStartKey(r.lastEvaluatedKey()).expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p"))));
        assertThat(next.count()).isZero();
        assertThat(next.hasLastEvaluatedKey() && !next.lastEvaluatedKey().isEmpty()).isFalse();
    }

    @Test
    void parallelScanSegmentsPartitionTheItems() {
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int seg = 0; seg < 3; seg++) {
            int s = seg;
            ScanResponse r = c.scan(b -> b.tableName(TABLE).segment(s).totalSegments(3));
            for (Map<String, AttributeValue> i : r.items()) {
                seen.add(i.get("pk").s() + "/" + i.get("sk").n());
                total++;
            }
        }
        assertThat(total).isEqualTo(10);
        assertThat(seen).hasSize(10);
    }

    @Test
    void tableNamesAreCaseSensitive() {
        assertThatThrownBy(() -> c.describeTable(b -> b.tableName(TABLE.toUpperCase())))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageStartingWith("Cannot do operations on a non-existent table");
    }

    @Test
    void deleteTableAnswersActiveNotDeletingAndBillingSummaryHasATimestamp() {
        c.createTable(b -> b.tableName("quirks_drop").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
        var r = c.deleteTable(b -> b.tableName("quirks_drop"));
        assertThat(r.tableDescription().tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(r.tableDescription().billingModeSummary().billingModeAsString()).isEqualTo("PAY_PER_REQUEST");
        assertThat(r.tableDescription().billingModeSummary().lastUpdateToPayPerRequestDateTime()).isNotNull();
    }
}
