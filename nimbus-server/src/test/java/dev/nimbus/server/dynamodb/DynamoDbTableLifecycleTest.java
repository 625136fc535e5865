package dev.nimbus.server.dynamodb;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CreateTable, DescribeTable, ListTables, UpdateTable (GSIs), DeleteTable through the AWS SDK v2. */
class DynamoDbTableLifecycleTest {
    @TempDir
    Path dir;
    DynamoDbServerFixture f;
    DynamoDbClient ddb;

    @BeforeEach
    void start() {
        f = new DynamoDbServerFixture(dir);
        ddb = f.client;
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static void createOrders(DynamoDbClient ddb, String name) {
        ddb.createTable(b -> b.tableName(name)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    }

    @Test
    void createDescribeListUpdateDelete() {
        CreateTableResponse created = ddb.createTable(b -> b.tableName("Orders")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(5L)));
        assertThat(created.tableDescription().tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(created.tableDescription().tableArn()).isEqualTo("arn:aws:dynamodb:us-east-1:000000000000:table/Orders");
        assertThat(created.tableDescription().keySchema()).extracting(KeySchemaElement::attributeName).containsExactly("pk", "sk");
        assertThat(created.tableDescription().provisionedThroughput().readCapacityUnits()).isEqualTo(5L);

        DescribeTableResponse described = ddb.describeTable(b -> b.tableName("Orders"));
        assertThat(described.table().tableName()).isEqualTo("Orders");
        assertThat(described.table().tableId()).isEqualTo(created.tableDescription().tableId());
        assertThat(described.table().creationDateTime()).isNotNull();

        createOrders(ddb, "Archive");
        ListTablesResponse all = ddb.listTables();
        assertThat(all.tableNames()).containsExactly("Archive", "Orders");
        ListTablesResponse first = ddb.listTables(b -> b.limit(1));
        assertThat(first.tableNames()).containsExactly("Archive");
        assertThat(first.lastEvaluatedTableName()).isEqualTo("Archive");
        assertThat(ddb.listTables(b -> b.exclusiveStartTableName("Archive")).tableNames()).containsExactly("Orders");

        // A GSI created on a table that already holds items is backfilled and ACTIVE at once.
        ddb.putItem(b -> b.tableName("Orders").item(Map.of("pk", s("a"), "sk", n("1"), "status", s("open"))));
        ddb.updateTable(b -> b.tableName("Orders")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("status").attributeType(ScalarAttributeType.S).build())
                .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName("byStatus")
                        .keySchema(KeySchemaElement.builder().attributeName("status").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                        .provisionedThroughput(p -> p.readCapacityUnits(1L).writeCapacityUnits(1L)))));
        DescribeTableResponse withIndex = ddb.describeTable(b -> b.tableName("Orders"));
        assertThat(withIndex.table().globalSecondaryIndexes()).extracting(GlobalSecondaryIndex -> GlobalSecondaryIndex.indexName())
                .containsExactly("byStatus");
        assertThat(ddb.query(b -> b.tableName("Orders").indexName("byStatus").keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", "status")).expressionAttributeValues(Map.of(":s", s("open"))))
                .count()).isEqualTo(1);
        ddb.updateTable(b -> b.tableName("Orders").globalSecondaryIndexUpdates(u -> u.delete(d -> d.indexName("byStatus"))));
        assertThat(ddb.describeTable(b -> b.tableName("Orders")).table().hasGlobalSecondaryIndexes()).isFalse();

        assertThat(ddb.deleteTable(b -> b.tableName("Orders")).tableDescription().tableStatus()).isEqualTo(TableStatus.DELETING);
        assertThatThrownBy(() -> ddb.describeTable(b -> b.tableName("Orders")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Requested resource not found: Table: Orders not found");
        // Re-created under the same name, the table starts empty.
        createOrders(ddb, "Orders");
        assertThat(ddb.scan(b -> b.tableName("Orders")).count()).isZero();
    }

    @Test
    void duplicateAndInvalidTablesAreRefusedLikeDynamoDb() {
        createOrders(ddb, "Orders");
        assertThatThrownBy(() -> createOrders(ddb, "Orders")).isInstanceOf(ResourceInUseException.class)
                .hasMessageContaining("Table already exists: Orders");
        DynamoDbServerFixture.fails(() -> createOrders(ddb, "ab"), "ValidationException",
                "Member must have length greater than or equal to 3");
        DynamoDbServerFixture.fails(() -> ddb.createTable(b -> b.tableName("NoDefs")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("x").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)), "ValidationException",
                "Some index key attributes are not defined in AttributeDefinitions");
        assertThatThrownBy(() -> ddb.deleteTable(b -> b.tableName("Missing"))).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void updateTableChangesBillingAndDeletionProtection() {
        createOrders(ddb, "Guarded");
        ddb.updateTable(b -> b.tableName("Guarded").deletionProtectionEnabled(true));
        assertThat(ddb.describeTable(b -> b.tableName("Guarded")).table().deletionProtectionEnabled()).isTrue();
        DynamoDbServerFixture.fails(() -> ddb.deleteTable(b -> b.tableName("Guarded")), "ValidationException",
                "Resource cannot be deleted as it is currently protected against deletion");
        ddb.updateTable(b -> b.tableName("Guarded").billingMode(BillingMode.PROVISIONED)
                .provisionedThroughput(p -> p.readCapacityUnits(3L).writeCapacityUnits(4L)).deletionProtectionEnabled(false));
        DescribeTableResponse d = ddb.describeTable(b -> b.tableName("Guarded"));
        assertThat(d.table().provisionedThroughput().writeCapacityUnits()).isEqualTo(4L);
        assertThat(d.table().billingModeSummary()).isNull();
        DynamoDbServerFixture.fails(() -> ddb.updateTable(b -> b.tableName("Guarded")), "ValidationException",
                "At least one of ProvisionedThroughput, BillingMode");
        ddb.deleteTable(b -> b.tableName("Guarded"));
    }

    @Test
    void tablesAreScopedToTheKeysTenant() {
        createOrders(ddb, "Orders");
        try (DynamoDbClient other = f.client(DynamoDbServerFixture.OTHER_KEY_ID, DynamoDbServerFixture.OTHER_SECRET)) {
            assertThat(other.listTables().tableNames()).isEmpty();
            assertThatThrownBy(() -> other.getItem(b -> b.tableName("Orders").key(Map.of("pk", s("a"), "sk", n("1")))))
                    .isInstanceOf(ResourceNotFoundException.class)
                    .hasMessageContaining("Requested resource not found");
        }
        assertThat(ddb.describeEndpoints().endpoints().get(0).address()).isEqualTo("127.0.0.1:" + f.port());
        assertThat(ddb.describeLimits().tableMaxReadCapacityUnits()).isEqualTo(40000L);
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }
}
