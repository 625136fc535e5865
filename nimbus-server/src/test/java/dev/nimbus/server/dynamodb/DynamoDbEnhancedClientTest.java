package dev.nimbus.server.dynamodb;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbIndex;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSecondaryPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;
import software.amazon.awssdk.enhanced.dynamodb.model.EnhancedGlobalSecondaryIndex;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.PageIterable;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The AWS SDK v2 Enhanced client (bean mapping, pagination, batches, transactions) against Nimbus. */
class DynamoDbEnhancedClientTest {
    @TempDir
    Path dir;
    DynamoDbServerFixture f;
    DynamoDbTable<Order> orders;

    /** A mapped bean: customer (partition), orderNo (sort), status (GSI partition). */
    @DynamoDbBean
    public static class Order {
        private String customer;
        private Integer orderNo;
        private String status;
        private BigDecimal total;
        private List<String> lines;
        private Set<String> labels;
        private Map<String, String> attributes;

        @DynamoDbPartitionKey
        public String getCustomer() {
            return customer;
        }

        public void setCustomer(String customer) {
            this.customer = customer;
        }

        @DynamoDbSortKey
        public Integer getOrderNo() {
            return orderNo;
        }

        public void setOrderNo(Integer orderNo) {
            this.orderNo = orderNo;
        }

        @DynamoDbSecondaryPartitionKey(indexNames = "byStatus")
        public String getStatus() {
            return status;
        }

        public void setStatus(String status) {
            this.status = status;
        }

        public BigDecimal getTotal() {
            return total;
        }

        public void setTotal(BigDecimal total) {
            this.total = total;
        }

        public List<String> getLines() {
            return lines;
        }

        public void setLines(List<String> lines) {
            this.lines = lines;
        }

        public Set<String> getLabels() {
            return labels;
        }

        public void setLabels(Set<String> labels) {
            this.labels = labels;
        }

        public Map<String, String> getAttributes() {
            return attributes;
        }

        public void setAttributes(Map<String, String> attributes) {
            this.attributes = attributes;
        }
    }

    static Order order(String customer, int no, String status, String total) {
        Order o = new Order();
        o.setCustomer(customer);
        o.setOrderNo(no);
        o.setStatus(status);
        o.setTotal(new BigDecimal(total));
        o.setLines(List.of("line-" + no));
        o.setLabels(Set.of("a", "b"));
        o.setAttributes(Map.of("gift", "yes"));
        return o;
    }

    @BeforeEach
    void start() {
        f = new DynamoDbServerFixture(dir);
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(f.client).build();
        orders = enhanced.table("Orders", TableSchema.fromBean(Order.class));
        orders.createTable(b -> b.globalSecondaryIndices(EnhancedGlobalSecondaryIndex.builder().indexName("byStatus")
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void beansRoundTripAndQueryInOrderAcrossPages() {
        for (int i = 12; i >= 1; i--) {
            orders.putItem(order("ann", i, i % 3 == 0 ? "shipped" : "open", i + ".50"));
        }
        orders.putItem(order("bob", 1, "open", "1"));
        Order back = orders.getItem(Key.builder().partitionValue("ann").sortValue(3).build());
        assertThat(back.getTotal()).isEqualByComparingTo("3.5");
        assertThat(back.getLines()).containsExactly("line-3");
        assertThat(back.getLabels()).containsExactlyInAnyOrder("a", "b");
        assertThat(back.getAttributes()).containsEntry("gift", "yes");

        PageIterable<Order> pages = orders.query(r -> r.queryConditional(QueryConditional.keyEqualTo(k -> k.partitionValue("ann")))
                .limit(5));
        List<Integer> numbers = new ArrayList<>();
        int pageCount = 0;
        for (Page<Order> p : pages) {
            p.items().forEach(o -> numbers.add(o.getOrderNo()));
            pageCount++;
        }
        assertThat(numbers).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(pageCount).isEqualTo(3);

        List<Integer> between = orders.query(r -> r.queryConditional(QueryConditional.sortBetween(
                        k -> k.partitionValue("ann").sortValue(4), k -> k.partitionValue("ann").sortValue(6)))
                        .scanIndexForward(false)).items().stream().map(Order::getOrderNo).toList();
        assertThat(between).containsExactly(6, 5, 4);

        DynamoDbIndex<Order> byStatus = orders.index("byStatus");
        long shipped = byStatus.query(r -> r.queryConditional(QueryConditional.keyEqualTo(k -> k.partitionValue("shipped"))))
                .stream().mapToLong(p -> p.items().size()).sum();
        assertThat(shipped).isEqualTo(4);

        List<Order> expensive = orders.scan(r -> r.filterExpression(Expression.builder().expression("#t > :min")
                .expressionNames(Map.of("#t", "total")).expressionValues(Map.of(":min", AttributeValue.fromN("10"))).build()))
                .items().stream().toList();
        assertThat(expensive).extracting(Order::getOrderNo).containsExactlyInAnyOrder(10, 11, 12);
    }

    @Test
    void conditionalWritesBatchesAndTransactions() {
        orders.putItem(order("cy", 1, "open", "10"));
        Order changed = order("cy", 1, "paid", "10");
        orders.updateItem(r -> r.item(changed).conditionExpression(Expression.builder().expression("#s = :open")
                .expressionNames(Map.of("#s", "status")).expressionValues(Map.of(":open", AttributeValue.fromS("open"))).build()));
        assertThat(orders.getItem(Key.builder().partitionValue("cy").sortValue(1).build()).getStatus()).isEqualTo("paid");
        assertThatThrownBy(() -> orders.putItem(r -> r.item(order("cy", 1, "x", "0")).conditionExpression(Expression.builder()
                .expression("attribute_not_exists(customer)").build()))).isInstanceOf(ConditionalCheckFailedException.class);

        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(f.client).build();
        WriteBatch.Builder<Order> batch = WriteBatch.builder(Order.class).mappedTableResource(orders);
        for (int i = 2; i <= 6; i++) {
            batch.addPutItem(order("cy", i, "open", "1"));
        }
        batch.addDeleteItem(Key.builder().partitionValue("cy").sortValue(1).build());
        enhanced.batchWriteItem(r -> r.addWriteBatch(batch.build()));
        assertThat(orders.query(QueryConditional.keyEqualTo(k -> k.partitionValue("cy"))).items().stream().count()).isEqualTo(5);

        enhanced.transactWriteItems(TransactWriteItemsEnhancedRequest.builder()
                .addPutItem(orders, order("cy", 7, "open", "7"))
                .addDeleteItem(orders, Key.builder().partitionValue("cy").sortValue(2).build())
                .build());
        assertThat(orders.getItem(Key.builder().partitionValue("cy").sortValue(7).build())).isNotNull();
        assertThat(orders.getItem(Key.builder().partitionValue("cy").sortValue(2).build())).isNull();
        assertThatThrownBy(() -> enhanced.transactWriteItems(TransactWriteItemsEnhancedRequest.builder()
                .addPutItem(orders, order("cy", 8, "open", "8"))
                .addConditionCheck(orders, c -> c.key(Key.builder().partitionValue("cy").sortValue(2).build())
                        .conditionExpression(Expression.builder().expression("attribute_exists(customer)").build()))
                .build())).isInstanceOf(TransactionCanceledException.class);
        assertThat(orders.getItem(Key.builder().partitionValue("cy").sortValue(8).build())).isNull();
    }
}
