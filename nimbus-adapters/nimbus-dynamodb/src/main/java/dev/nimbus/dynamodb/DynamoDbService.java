package dev.nimbus.dynamodb;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.expression.ExpressionException;
import dev.nimbus.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * The DynamoDB JSON 1.0 endpoint as a function: (target, headers, body) → (status, headers,
 * body). Checks in DynamoDB's order — target (or a missing {@code Authorization}), JSON body,
 * SigV4, then the operation — and answers every failure in DynamoDB's error shape. One table
 * from operation name to handler; the handlers live one concern per class.
 */
public final class DynamoDbService {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbService.class);
    public static final String TARGET_PREFIX = "DynamoDB_20120810.";
    public static final String CONTENT_TYPE = "application/x-amz-json-1.0";

    private static final HexFormat REQUEST_ID_HEX = HexFormat.of().withUpperCase();

    private final SigV4Verifier verifier;
    private final Map<String, Function<Call, Map<String, Object>>> operations = new TreeMap<>();
    private final TableOperations tables;

    /** A response: status, headers to send and the JSON body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
    }

    public DynamoDbService(Engine engine, AccessKeys keys, Clock clock) {
        this.verifier = new SigV4Verifier(keys, clock);
        TableCatalog catalog = new TableCatalog(engine);
        this.tables = new TableOperations(engine, catalog, clock);
        ItemOperations items = new ItemOperations(engine, catalog);
        ReadOperations reads = new ReadOperations(engine, catalog, items);
        BatchOperations batches = new BatchOperations(engine, catalog, items, clock);
        operations.put("CreateTable", tables::createTable);
        operations.put("DeleteTable", tables::deleteTable);
        operations.put("DescribeTable", tables::describeTable);
        operations.put("ListTables", tables::listTables);
        operations.put("UpdateTable", tables::updateTable);
        operations.put("UpdateTimeToLive", tables::updateTimeToLive);
        operations.put("DescribeTimeToLive", tables::describeTimeToLive);
        operations.put("DescribeEndpoints", tables::describeEndpoints);
        operations.put("DescribeLimits", tables::describeLimits);
        operations.put("PutItem", items::putItem);
        operations.put("GetItem", items::getItem);
        operations.put("UpdateItem", items::updateItem);
        operations.put("DeleteItem", items::deleteItem);
        operations.put("Query", reads::query);
        operations.put("Scan", reads::scan);
        operations.put("BatchGetItem", batches::batchGetItem);
        operations.put("BatchWriteItem", batches::batchWriteItem);
        operations.put("TransactGetItems", batches::transactGetItems);
        operations.put("TransactWriteItems", batches::transactWriteItems);
    }

    /** Deletes expired items of every TTL-enabled table of the tenants with items; returns how many. */
    public int sweepExpired(Iterable<dev.nimbus.core.model.TenantId> tenants) {
        int n = 0;
        for (dev.nimbus.core.model.TenantId t : tenants) {
            n += tables.sweepExpired(t);
        }
        return n;
    }

    /**
     * Handles one request.
     *
     * @param headers request headers by lower-case name (first value of each)
     */
    public Response handle(String method, String path, Map<String, String> headers, byte[] body) {
        String requestId = requestId();
        try {
            String target = headers.get("x-amz-target");
            Function<Call, Map<String, Object>> op = null;
            if (target != null && target.startsWith(TARGET_PREFIX)) {
                op = operations.get(target.substring(TARGET_PREFIX.length()));
            }
            if (op == null) {
                throw headers.get("authorization") == null ? DynamoDbException.missingAuthenticationToken()
                        : DynamoDbException.unknownOperation();
            }
            Map<String, Object> json;
            try {
                json = Json.parseObject(body);
            } catch (Json.MalformedException e) {
                throw DynamoDbException.serialization(null);
            }
            SigV4Verifier.Verified who = verifier.verify(method, path, headers, body);
            Principal principal = Principal.user("dynamodb:" + who.key().accessKeyId(),
                    new Value.Obj(Map.of("surface", Value.of("dynamodb"))));
            Map<String, Object> result = op.apply(new Call(who.key().tenant(), principal, who.region(), headers.getOrDefault("host", "localhost"), json));
            return response(200, Json.write(result), requestId);
        } catch (DynamoDbException e) {
            return error(e, requestId);
        } catch (ExpressionException e) {
            return error(DynamoDbException.validation(e.getMessage()), requestId);
        } catch (NimbusException e) {
            return error(fromEngine(e), requestId);
        } catch (RuntimeException e) {
            LOG.warn("DynamoDB request {} failed", requestId, e);
            return error(DynamoDbException.internal("The server encountered an internal error trying to fulfill the request."),
                    requestId);
        }
    }

    /** 32 upper-case hex digits, unique enough to find a request in logs (not a secret: no SecureRandom). */
    private static String requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return REQUEST_ID_HEX.toHexDigits(r.nextLong()) + REQUEST_ID_HEX.toHexDigits(r.nextLong());
    }

    static DynamoDbException fromEngine(NimbusException e) {
        return switch (e.code()) {
            case CONFLICT -> DynamoDbException.transactionConflict(
                    "Transaction is ongoing for the item; the write conflicted with another write, retry it");
            case PERMISSION_DENIED, FORBIDDEN -> new DynamoDbException(400,
                    DynamoDbException.DYNAMODB + "AccessDeniedException", e.getMessage());
            case INVALID_INPUT, CAP_EXCEEDED -> DynamoDbException.validation(e.getMessage());
            case OVERLOADED -> DynamoDbException.throttled("The level of configured provisioned throughput for the table was "
                    + "exceeded. Consider increasing your provisioning level with the UpdateTable API.");
            default -> DynamoDbException.internal(e.getMessage());
        };
    }

    private static Response error(DynamoDbException e, String requestId) {
        return response(e.status(), Json.write(e.body()), requestId);
    }

    private static Response response(int status, byte[] body, String requestId) {
        CRC32 crc = new CRC32();
        crc.update(body);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", CONTENT_TYPE);
        h.put("x-amzn-RequestId", requestId);
        h.put("x-amz-crc32", Long.toString(crc.getValue()));
        return new Response(status, h, body);
    }
}
