package dev.nimbus.server.dynamodb;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static dev.nimbus.server.dynamodb.DynamoDbServerFixture.fails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PutItem/GetItem/UpdateItem/DeleteItem with conditions, expressions and ReturnValues via the AWS SDK v2. */
class DynamoDbItemTest {
    @TempDir
    static Path dir;
    static DynamoDbServerFixture f;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        f = new DynamoDbServerFixture(dir);
        ddb = f.client;
        DynamoDbTableLifecycleTest.createOrders(ddb, "Items");
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

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", n(sk));
    }

    static Map<String, AttributeValue> item(String pk, String sk, Object... more) {
        Map<String, AttributeValue> m = new HashMap<>(key(pk, sk));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], (AttributeValue) more[i + 1]);
        }
        return m;
    }

    @Test
    void everyAttributeTypeRoundTrips() {
        Map<String, AttributeValue> all = item("types", "1",
                "s", s("héllo"), "n", n("-012.3400"), "big", n("12345678901234567890123456789012345678"),
                "tiny", n("1E-130"), "b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{0, (byte) 0xff, 7})),
                "t", AttributeValue.fromBool(true), "nul", AttributeValue.fromNul(true),
                "l", AttributeValue.fromL(List.of(s("x"), n("2"), AttributeValue.fromL(List.of()))),
                "m", AttributeValue.fromM(Map.of("inner", AttributeValue.fromM(Map.of("deep", s("yes"))))),
                "ss", AttributeValue.fromSs(List.of("b", "a")), "ns", AttributeValue.fromNs(List.of("10", "1.50")),
                "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("q"))),
                "_id", s("a dynamo attribute called _id"), "empty", s(""));
        ddb.putItem(b -> b.tableName("Items").item(all));
        Map<String, AttributeValue> back = ddb.getItem(b -> b.tableName("Items").key(key("types", "1")).consistentRead(true)).item();
        assertThat(back.get("n").n()).isEqualTo("-12.34");
        assertThat(back.get("big").n()).isEqualTo("12345678901234567890123456789012345678");
        assertThat(back.get("tiny").n()).isEqualTo(new BigDecimal("1E-130").toPlainString());
        assertThat(back.get("b").b().asByteArray()).containsExactly(0, 0xff, 7);
        assertThat(back.get("t").bool()).isTrue();
        assertThat(back.get("nul").nul()).isTrue();
        assertThat(back.get("l").l()).containsExactly(s("x"), n("2"), AttributeValue.fromL(List.of()));
        assertThat(back.get("m").m().get("inner").m().get("deep").s()).isEqualTo("yes");
        assertThat(back.get("ss").ss()).containsExactlyInAnyOrder("a", "b");
        assertThat(back.get("ns").ns()).containsExactlyInAnyOrder("10", "1.5");
        assertThat(back.get("bs").bs()).containsExactly(SdkBytes.fromUtf8String("q"));
        assertThat(back.get("_id").s()).isEqualTo("a dynamo attribute called _id");
        assertThat(back.get("empty").s()).isEmpty();
        assertThat(back).hasSize(all.size());
    }

    @Test
    void numbersAndSetsAreValidatedLikeDynamoDb() {
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("v", "1", "x", n("123456789012345678901234567890123456789")))),
                "ValidationException", "Attempting to store more than 38 significant digits in a Number");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("v", "1", "x", n("1E+126")))),
                "ValidationException", "Number overflow");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("v", "1", "x", n("abc")))),
                "ValidationException", "A value provided cannot be converted into a number");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("v", "1", "x", AttributeValue.fromSs(List.of("a", "a"))))),
                "ValidationException", "contains duplicates");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(Map.of("pk", s("v")))),
                "ValidationException", "Missing the key sk in the item");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(Map.of("pk", n("1"), "sk", n("1")))),
                "ValidationException", "Type mismatch for key pk expected: S actual: N");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(Map.of("pk", s(""), "sk", n("1")))),
                "ValidationException", "cannot contain an empty string value. Key: pk");
        fails(() -> ddb.getItem(b -> b.tableName("Items").key(Map.of("pk", s("x")))),
                "ValidationException", "The provided key element does not match the schema");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("v", "1", "x", s("y".repeat(410_000))))),
                "ValidationException", "Item size has exceeded the maximum allowed size");
        // 1, 1.0 and 1E0 are the same key.
        ddb.putItem(b -> b.tableName("Items").item(item("num", "1.0", "v", s("first"))));
        assertThat(ddb.getItem(b -> b.tableName("Items").key(key("num", "1E0"))).item().get("v").s()).isEqualTo("first");
    }

    @Test
    void putConditionsAndReturnValues() {
        PutItemResponse first = ddb.putItem(b -> b.tableName("Items").item(item("p", "1", "v", n("1")))
                .conditionExpression("attribute_not_exists(pk)").returnValues(ReturnValue.ALL_OLD));
        assertThat(first.hasAttributes()).isFalse();
        ConditionalCheckFailedException failed = (ConditionalCheckFailedException) fails(() -> ddb.putItem(b -> b.tableName("Items")
                .item(item("p", "1", "v", n("2"))).conditionExpression("attribute_not_exists(pk)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)),
                "ConditionalCheckFailedException", "The conditional request failed");
        assertThat(failed.item().get("v").n()).isEqualTo("1");
        PutItemResponse replaced = ddb.putItem(b -> b.tableName("Items").item(item("p", "1", "v", n("3")))
                .conditionExpression("v = :one").expressionAttributeValues(Map.of(":one", n("1")))
                .returnValues(ReturnValue.ALL_OLD).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertThat(replaced.attributes().get("v").n()).isEqualTo("1");
        assertThat(replaced.consumedCapacity().tableName()).isEqualTo("Items");
        assertThat(replaced.consumedCapacity().capacityUnits()).isEqualTo(1.0);
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("p", "1")).returnValues(ReturnValue.ALL_NEW)),
                "ValidationException", "ReturnValues can only be ALL_OLD or NONE");

        GetItemResponse projected = ddb.getItem(b -> b.tableName("Items").key(key("p", "1")).projectionExpression("v")
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        assertThat(projected.item()).containsOnlyKeys("v");
        assertThat(projected.consumedCapacity().capacityUnits()).isEqualTo(0.5);
        assertThat(projected.consumedCapacity().table().capacityUnits()).isEqualTo(0.5);

        assertThat(ddb.deleteItem(b -> b.tableName("Items").key(key("p", "1")).returnValues(ReturnValue.ALL_OLD))
                .attributes().get("v").n()).isEqualTo("3");
        assertThat(ddb.getItem(b -> b.tableName("Items").key(key("p", "1"))).hasItem()).isFalse();
        fails(() -> ddb.deleteItem(b -> b.tableName("Items").key(key("p", "1")).conditionExpression("attribute_exists(pk)")),
                "ConditionalCheckFailedException", "The conditional request failed");
    }

    @Test
    void updateExpressionsAndReturnValues() {
        ddb.putItem(b -> b.tableName("Items").item(item("u", "1", "count", n("5"), "tags", AttributeValue.fromSs(List.of("a", "b")),
                "colors", AttributeValue.fromSs(List.of("a", "x")),
                "seq", AttributeValue.fromL(List.of(s("x"), s("y"), s("z"))), "doc", AttributeValue.fromM(Map.of("a", n("1"))),
                "gone", s("soon"))));
        UpdateItemResponse r = ddb.updateItem(b -> b.tableName("Items").key(key("u", "1"))
                .updateExpression("SET #c = #c + :inc, doc.b = :two, newList = list_append(if_not_exists(newList, :empty), :l), "
                        + "seq[7] = :appended REMOVE gone, seq[0] ADD tags :t, visits :one DELETE colors :a")
                .expressionAttributeNames(Map.of("#c", "count"))
                .expressionAttributeValues(Map.of(":inc", n("10"), ":two", n("2"), ":empty", AttributeValue.fromL(List.of()),
                        ":l", AttributeValue.fromL(List.of(n("1"))), ":appended", s("end"), ":t", AttributeValue.fromSs(List.of("c")),
                        ":one", n("1"), ":a", AttributeValue.fromSs(List.of("a"))))
                .returnValues(ReturnValue.ALL_NEW));
        Map<String, AttributeValue> a = r.attributes();
        assertThat(a.get("count").n()).isEqualTo("15");
        assertThat(a.get("doc").m()).containsEntry("b", n("2")).containsEntry("a", n("1"));
        assertThat(a.get("newList").l()).containsExactly(n("1"));
        assertThat(a.get("seq").l()).containsExactly(s("y"), s("z"), s("end"));
        assertThat(a).doesNotContainKey("gone");
        assertThat(a.get("tags").ss()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(a.get("colors").ss()).containsExactly("x");
        assertThat(a.get("visits").n()).isEqualTo("1");

        UpdateItemResponse updatedOld = ddb.updateItem(b -> b.tableName("Items").key(key("u", "1"))
                .updateExpression("SET doc.a = :nine").expressionAttributeValues(Map.of(":nine", n("9")))
                .returnValues(ReturnValue.UPDATED_OLD));
        assertThat(updatedOld.attributes()).containsOnlyKeys("doc");
        assertThat(updatedOld.attributes().get("doc").m()).containsOnlyKeys("a").containsEntry("a", n("1"));
        UpdateItemResponse updatedNew = ddb.updateItem(b -> b.tableName("Items").key(key("u", "1"))
                .updateExpression("SET visits = visits - :one").conditionExpression("visits > :zero AND size(seq) = :three")
                .expressionAttributeValues(Map.of(":one", n("1"), ":zero", n("0"), ":three", n("3")))
                .returnValues(ReturnValue.UPDATED_NEW));
        assertThat(updatedNew.attributes()).isEqualTo(Map.of("visits", n("0")));

        // UpdateItem on a missing item creates it (upsert) from the key.
        ddb.updateItem(b -> b.tableName("Items").key(key("u", "2")).updateExpression("SET v = :v")
                .expressionAttributeValues(Map.of(":v", s("new"))));
        assertThat(ddb.getItem(b -> b.tableName("Items").key(key("u", "2"))).item()).isEqualTo(item("u", "2", "v", s("new")));

        fails(() -> ddb.updateItem(b -> b.tableName("Items").key(key("u", "1")).updateExpression("SET pk = :v")
                .expressionAttributeValues(Map.of(":v", s("x")))), "ValidationException",
                "Cannot update attribute pk. This attribute is part of the key");
        fails(() -> ddb.updateItem(b -> b.tableName("Items").key(key("u", "1")).updateExpression("SET a = :v, a.b = :v")
                .expressionAttributeValues(Map.of(":v", s("x")))), "ValidationException", "Two document paths overlap");
        fails(() -> ddb.updateItem(b -> b.tableName("Items").key(key("u", "1")).updateExpression("SET count2 = v + :one")
                .expressionAttributeValues(Map.of(":one", n("1")))), "ValidationException",
                "The provided expression refers to an attribute that does not exist in the item");
        fails(() -> ddb.updateItem(b -> b.tableName("Items").key(key("u", "1")).updateExpression("ADD tags :n")
                .expressionAttributeValues(Map.of(":n", n("1")))), "ValidationException",
                "An operand in the update expression has an incorrect data type");
        fails(() -> ddb.updateItem(b -> b.tableName("Items").key(key("u", "1")).updateExpression("ADD tags :s")
                .expressionAttributeValues(Map.of(":s", s("x")))), "ValidationException",
                "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
    }

    @Test
    void conditionExpressionOperatorsAndFunctions() {
        ddb.putItem(b -> b.tableName("Items").item(item("c", "1", "name", s("widget"), "price", n("25"),
                "tags", AttributeValue.fromSs(List.of("red", "blue")), "seq", AttributeValue.fromL(List.of(n("1"), s("two"))),
                "bin", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1, 2, 3})))));
        Map<String, AttributeValue> v = Map.of(":lo", n("10"), ":hi", n("30"), ":w", s("wid"), ":red", s("red"),
                ":S", s("S"), ":two", s("two"), ":x", n("25"), ":y", n("26"), ":six", n("6"), ":pre",
                AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1, 2})));
        String[] holds = {
            "price BETWEEN :lo AND :hi", "begins_with(#n, :w)", "contains(tags, :red)", "attribute_type(#n, :S)",
            "contains(seq, :two)", "price IN (:x, :y)", "NOT price = :y", "(price < :lo OR price > :lo) AND size(#n) = :six",
            "price <> :y AND attribute_not_exists(nothing)", "begins_with(bin, :pre)", "contains(#n, :w)",
            "nothing <> :x", "price >= :x AND price <= :x"};
        for (String condition : holds) {
            Map<String, AttributeValue> used = new HashMap<>();
            v.forEach((k, x) -> {
                if (condition.contains(k + " ") || condition.contains(k + ")") || condition.contains(k + ",") || condition.endsWith(k)) {
                    used.put(k, x);
                }
            });
            ddb.putItem(b -> b.tableName("Items").item(item("c", "1", "name", s("widget"), "price", n("25"),
                    "tags", AttributeValue.fromSs(List.of("red", "blue")), "seq", AttributeValue.fromL(List.of(n("1"), s("two"))),
                    "bin", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1, 2, 3}))))
                    .conditionExpression(condition).expressionAttributeValues(used.isEmpty() ? null : used)
                    .expressionAttributeNames(condition.contains("#n") ? Map.of("#n", "name") : null));
        }
        String[] fails = {"price > :hi", "NOT contains(tags, :red)", "attribute_type(price, :S)", "price = :y OR price < :lo"};
        for (String condition : fails) {
            Map<String, AttributeValue> used = new HashMap<>();
            v.forEach((k, x) -> {
                if (condition.contains(k + " ") || condition.contains(k + ")") || condition.endsWith(k)) {
                    used.put(k, x);
                }
            });
            assertThatThrownBy(() -> ddb.putItem(b -> b.tableName("Items").item(item("c", "1"))
                    .conditionExpression(condition).expressionAttributeValues(used)))
                    .as(condition).isInstanceOf(ConditionalCheckFailedException.class);
        }
    }

    @Test
    void brokenExpressionsGetDynamoDbsValidationMessages() {
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("a = :v")
                .expressionAttributeValues(Map.of(":v", s("x"), ":unused", s("y")))), "ValidationException",
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("a = :v")),
                "ValidationException", "An expression attribute value used in expression is not defined; attribute value: :v");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("#a = :v")
                .expressionAttributeValues(Map.of(":v", s("x")))), "ValidationException",
                "An expression attribute name used in the document path is not defined; attribute name: #a");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("a = = :v")
                .expressionAttributeValues(Map.of(":v", s("x")))), "ValidationException",
                "Invalid ConditionExpression: Syntax error; token: \"=\"");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("a = :v")
                .expressionAttributeValues(Map.of(":v", s("x"))).expressionAttributeNames(Map.of("#x", "x"))),
                "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("status = :v")
                .expressionAttributeValues(Map.of(":v", s("x")))), "ValidationException",
                "Attribute name is a reserved keyword; reserved keyword: status");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("e", "1")).conditionExpression("foo(a)")),
                "ValidationException", "Invalid function name; function: foo");
        fails(() -> ddb.updateItem(b -> b.tableName("Items").key(key("e", "1")).updateExpression("SET a = :v SET b = :v")
                .expressionAttributeValues(Map.of(":v", s("x")))), "ValidationException",
                "The \"SET\" section can only be used once in an update expression");
        fails(() -> ddb.getItem(b -> b.tableName("Items").key(key("e", "1")).projectionExpression("a, a.b")),
                "ValidationException", "Two document paths overlap with each other");
    }

    @Test
    void nestedProjectionsKeepOnlyThePaths() {
        ddb.putItem(b -> b.tableName("Items").item(item("proj", "1", "a", AttributeValue.fromM(Map.of("b", s("keep"), "c", s("drop"))),
                "l", AttributeValue.fromL(List.of(s("zero"), s("one"), s("two"))), "extra", s("drop"))));
        Map<String, AttributeValue> got = ddb.getItem(b -> b.tableName("Items").key(key("proj", "1"))
                .projectionExpression("a.b, l[2], l[0], #k").expressionAttributeNames(Map.of("#k", "pk"))).item();
        assertThat(got).isEqualTo(Map.of("a", AttributeValue.fromM(Map.of("b", s("keep"))),
                "l", AttributeValue.fromL(List.of(s("zero"), s("two"))), "pk", s("proj")));
    }

    @Test
    void aDynamoDbWriteIsANormalDocumentForTheEngine() {
        ddb.putItem(b -> b.tableName("Items").item(item("engine", "7", "city", s("Oslo"), "n", n("2.50"))));
        TenantId tenant = new TenantId(DynamoDbServerFixture.TENANT);
        List<Document> docs = f.server.engine().query(tenant, Principal.ADMIN, new Query(TableName.of("Items"),
                Filter.eq("city", Value.of("Oslo")), List.of(), OptionalInt.empty()));
        assertThat(docs).hasSize(1);
        assertThat(docs.get(0).fields().get("pk")).isEqualTo(Value.of("engine"));
        assertThat(docs.get(0).fields().get("n")).isEqualTo(Value.of(new BigDecimal("2.5")));
        // The other direction: the engine's own write shows up as an item.
        f.server.engine().mutate(tenant, Principal.ADMIN, new dev.nimbus.core.model.Mutation.Delete(TableName.of("Items"),
                docs.get(0).id()));
        assertThat(ddb.getItem(b -> b.tableName("Items").key(key("engine", "7"))).hasItem()).isFalse();
    }

    @Test
    void keyExpressionAndNestingLimitsAndUnsupportedOperations() {
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(Map.of("pk", s("p".repeat(2049)), "sk", n("1")))),
                "ValidationException", "Size of hashkey has exceeded the maximum size limit of2048 bytes");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(Map.of("pk", s("p".repeat(700)), "sk", n("1")))),
                "ValidationException", "DDB-DIV-001");
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("lim", "1")).conditionExpression(
                "attribute_not_exists(a)" + " OR attribute_not_exists(a)".repeat(160))),
                "ValidationException", "Expression size has exceeded the maximum allowed size");
        AttributeValue deep = s("leaf");
        for (int i = 0; i < 33; i++) {
            deep = AttributeValue.fromL(List.of(deep));
        }
        AttributeValue tooDeep = deep;
        fails(() -> ddb.putItem(b -> b.tableName("Items").item(item("lim", "1", "deep", tooDeep))),
                "ValidationException", "Nesting Levels have exceeded supported limits");
        fails(() -> ddb.getItem(b -> b.tableName("Items").key(key("lim", "1")).attributesToGet("a")),
                "ValidationException", "legacy parameter AttributesToGet");
        fails(() -> ddb.tagResource(b -> b.resourceArn("arn:aws:dynamodb:us-east-1:000000000000:table/Items")
                .tags(t -> t.key("k").value("v"))), "UnknownOperationException", "");
        fails(() -> ddb.executeStatement(b -> b.statement("SELECT * FROM Items")), "UnknownOperationException", "");
    }
}
