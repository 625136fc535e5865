package dev.nimbus.server.dynamodb.differential;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns AWS SDK v2 responses and exceptions into a canonical tree (sorted {@link TreeMap}s,
 * {@link List}s, strings, numbers, booleans) that two servers' answers can be compared on with
 * {@code equals}, and renders it as JSON for diffs.
 *
 * <p>Normalizations (each one is something that legitimately differs between two correct
 * servers; everything else is compared verbatim):
 * <ul>
 *   <li>{@link #DROPPED_MEMBERS}: members of response structures (never of items) that are
 *       timestamps ({@code CreationDateTime}, throughput {@code Last*DateTime}), identities
 *       ({@code TableArn}, {@code TableId}, {@code IndexArn}, stream ARNs and labels), capacity and
 *       accounting ({@code ConsumedCapacity}, {@code ProvisionedThroughput}, {@code WarmThroughput},
 *       {@code OnDemandThroughput}, {@code ItemCollectionMetrics}), sizes and counts DynamoDB
 *       refreshes lazily ({@code TableSizeBytes}, {@code ItemCount}, {@code IndexSizeBytes}), and
 *       {@code BillingModeSummary.LastUpdateToPayPerRequestDateTime} (a timestamp).</li>
 *   <li>{@code TableStatus} of a DeleteTable answer: DynamoDB Local says {@code ACTIVE}, AWS says
 *       {@code DELETING}; both are mapped to {@code DELETING} ({@link #deletedTable}).</li>
 *   <li>Sets ({@code SS}, {@code NS}, {@code BS}) are unordered: their members are sorted.</li>
 *   <li>Request ids and HTTP headers are never captured.</li>
 * </ul>
 * Errors become {@code {"error": <__type short name>, "status": <HTTP status>, "message": ...,
 * "CancellationReasons": [...], "Item": {...}}}.
 */
public final class Canonical {
    /** Response members dropped wherever they occur in a response structure (see class javadoc). */
    public static final Set<String> DROPPED_MEMBERS = Set.of(
            "CreationDateTime", "TableArn", "TableId", "IndexArn", "LatestStreamArn", "LatestStreamLabel",
            "ConsumedCapacity", "ProvisionedThroughput", "WarmThroughput", "OnDemandThroughput",
            "ItemCollectionMetrics", "TableSizeBytes", "ItemCount", "IndexSizeBytes", "LastUpdateToPayPerRequestDateTime");

    private Canonical() {
    }

    /** A response (or a list of responses, e.g. pages) as a canonical tree. */
    public static Object of(Object sdkObject) {
        return convert(sdkObject);
    }

    /**
     * The canonical DeleteTable answer: DynamoDB Local 3.3.1 reports the deleted table as
     * {@code ACTIVE} where AWS (and Nimbus) report {@code DELETING}; the status is mapped to
     * {@code DELETING} so that this known Local quirk is not reported as a difference.
     */
    @SuppressWarnings("unchecked")
    public static Object deletedTable(Object deleteTableResponse) {
        Object tree = of(deleteTableResponse);
        if (tree instanceof Map<?, ?> m && m.get("TableDescription") instanceof Map<?, ?> d && "ACTIVE".equals(d.get("TableStatus"))) {
            ((Map<String, Object>) d).put("TableStatus", "DELETING");
        }
        return tree;
    }

    /** Items (attribute maps) in their canonical form. */
    public static Map<String, Object> item(Map<String, AttributeValue> item) {
        Map<String, Object> out = new TreeMap<>();
        item.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    /** A list of items in canonical form, sorted by their JSON rendering (for unordered results). */
    public static List<Object> sortedItems(Collection<Map<String, AttributeValue>> items) {
        List<Object> out = new ArrayList<>();
        for (Map<String, AttributeValue> i : items) {
            out.add(item(i));
        }
        out.sort(Comparator.comparing(Canonical::json));
        return out;
    }

    /** An exception thrown by the SDK call as a canonical error tree. */
    public static Map<String, Object> error(RuntimeException e) {
        Map<String, Object> out = new TreeMap<>();
        if (e instanceof AwsServiceException ase) {
            out.put("error", ase.awsErrorDetails() == null ? ase.getClass().getSimpleName() : ase.awsErrorDetails().errorCode());
            out.put("status", ase.statusCode());
            String message = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorMessage();
            if (message != null) {
                out.put("message", message);
            }
            if (e instanceof TransactionCanceledException tce && tce.hasCancellationReasons()) {
                List<Object> reasons = new ArrayList<>();
                for (CancellationReason r : tce.cancellationReasons()) {
                    reasons.add(convert(r));
                }
                out.put("CancellationReasons", reasons);
            }
            if (e instanceof ConditionalCheckFailedException ccf && ccf.hasItem()) {
                out.put("Item", item(ccf.item()));
            }
        } else if (e instanceof SdkClientException) {
            out.put("clientError", e.getClass().getSimpleName());
            out.put("message", String.valueOf(e.getMessage()));
        } else {
            throw e;
        }
        return out;
    }

    /**
     * The error tree without its message texts (top-level {@code message} and each cancellation
     * reason's {@code Message}); other answers are returned unchanged.
     */
    public static Object withoutErrorMessages(Object answer) {
        if (!(answer instanceof Map<?, ?> m) || !m.containsKey("error")) {
            return answer;
        }
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        out.remove("message");
        if (out.get("CancellationReasons") instanceof List<?> reasons) {
            List<Object> stripped = new ArrayList<>();
            for (Object r : reasons) {
                if (r instanceof Map<?, ?> rm) {
                    Map<String, Object> copy = new TreeMap<>();
                    rm.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    copy.remove("Message");
                    stripped.add(copy);
                } else {
                    stripped.add(r);
                }
            }
            out.put("CancellationReasons", stripped);
        }
        return out;
    }

    /** The canonical form of one attribute value: {@code {"<type>": <value>}}, sets sorted. */
    public static Object value(AttributeValue v) {
        Map<String, Object> out = new TreeMap<>();
        if (v.s() != null) {
            out.put("S", v.s());
        }
        if (v.n() != null) {
            out.put("N", v.n());
        }
        if (v.b() != null) {
            out.put("B", b64(v.b()));
        }
        if (v.bool() != null) {
            out.put("BOOL", v.bool());
        }
        if (v.nul() != null) {
            out.put("NULL", v.nul());
        }
        if (v.hasSs()) {
            out.put("SS", sorted(new ArrayList<>(v.ss())));
        }
        if (v.hasNs()) {
            out.put("NS", sorted(new ArrayList<>(v.ns())));
        }
        if (v.hasBs()) {
            List<String> bs = new ArrayList<>();
            v.bs().forEach(b -> bs.add(b64(b)));
            out.put("BS", sorted(bs));
        }
        if (v.hasM()) {
            out.put("M", item(v.m()));
        }
        if (v.hasL()) {
            List<Object> l = new ArrayList<>();
            v.l().forEach(e -> l.add(value(e)));
            out.put("L", l);
        }
        return out;
    }

    private static List<String> sorted(List<String> l) {
        l.sort(Comparator.naturalOrder());
        return l;
    }

    private static String b64(SdkBytes b) {
        return Base64.getEncoder().encodeToString(b.asByteArray());
    }

    private static Object convert(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof AttributeValue av) {
            return value(av);
        }
        if (o instanceof SdkPojo pojo) {
            Map<String, Object> out = new TreeMap<>();
            for (SdkField<?> f : pojo.sdkFields()) {
                if (DROPPED_MEMBERS.contains(f.memberName())) {
                    continue;
                }
                Object v = f.getValueOrDefault(pojo);
                if (v == null || v instanceof SdkAutoConstructList<?> || v instanceof SdkAutoConstructMap<?, ?>) {
                    continue;
                }
                out.put(f.memberName(), convert(v));
            }
            return out;
        }
        if (o instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(e -> out.add(convert(e)));
            return out;
        }
        if (o instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), convert(v)));
            return out;
        }
        if (o instanceof SdkBytes b) {
            return b64(b);
        }
        if (o instanceof Instant i) {
            return i.toString();
        }
        if (o instanceof String || o instanceof Boolean || o instanceof Number) {
            return o;
        }
        return String.valueOf(o);
    }

    /** Compact JSON rendering of a canonical tree (keys already sorted). */
    public static String json(Object o) {
        StringBuilder sb = new StringBuilder();
        write(sb, o);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object o) {
        switch (o) {
            case null -> sb.append("null");
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            case String s -> string(sb, s);
            default -> sb.append(o);
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** A small ordered map literal for ops that assemble their own canonical result. */
    static Map<String, Object> tree(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                out.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return new TreeMap<>(out);
    }
}
