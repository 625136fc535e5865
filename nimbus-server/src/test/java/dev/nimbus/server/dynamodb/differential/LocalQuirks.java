package dev.nimbus.server.dynamodb.differential;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Normalizations for places where DynamoDB Local 3.3.1 (the oracle) is known to answer
 * differently from AWS DynamoDB, so that a candidate that answers like AWS is not reported.
 * Each rule maps DynamoDB Local's form and AWS's form to one comparison form; it is applied to
 * both answers of an op (so a Local-vs-Local run is unaffected). The rules and their evidence
 * are listed in the README ("DynamoDB Local quirks normalized"); nothing else is touched.
 */
final class LocalQuirks {
    /**
     * One error message alias: an error whose {@code __type} is {@code error}, raised by a request
     * whose printable form starts with one of {@code requests} (empty: any request), and whose
     * message matches {@code local} (DynamoDB Local's text) or {@code aws} (AWS's text), is
     * compared as {@code canonical}.
     */
    private record MessageAlias(String error, Set<String> requests, Pattern local, Pattern aws, String canonical) {
        boolean applies(String type, String request, String message) {
            if (!error.equals(type) || (!requests.isEmpty() && requests.stream().noneMatch(request::startsWith))) {
                return false;
            }
            return local.matcher(message).matches() || aws.matcher(message).matches();
        }
    }

    private static final Set<String> ANY = Set.of();
    /** Requests whose key (not item) is checked against the key schema. */
    private static final Set<String> KEY_REQUESTS = Set.of("GetItemRequest", "DeleteItemRequest", "UpdateItemRequest");

    private static final List<MessageAlias> ALIASES = List.of(
            new MessageAlias("ResourceInUseException", ANY,
                    Pattern.compile("Cannot create preexisting table"),
                    Pattern.compile("Table already exists: \\S+"),
                    "<table already exists>"),
            new MessageAlias("ResourceNotFoundException", ANY,
                    Pattern.compile("Cannot do operations on a non-existent table"),
                    Pattern.compile("Requested resource not found(: Table: \\S+ not found)?"),
                    "<table not found>"),
            new MessageAlias("ValidationException", ANY,
                    Pattern.compile("One or more parameter values were invalid: Input collection (\\[.*]) contains duplicates"),
                    Pattern.compile("One or more parameter values were invalid: Input collection (\\[.*]) contains duplicates\\."),
                    "<input collection contains duplicates>"),
            new MessageAlias("ValidationException", Set.of("PutItemRequest"),
                    Pattern.compile("One or more parameter values were invalid: Type mismatch for key"),
                    Pattern.compile("One or more parameter values were invalid: Type mismatch for key \\S+ expected: [SNB] actual: \\S+"),
                    "<item key type mismatch>"),
            new MessageAlias("ValidationException", KEY_REQUESTS,
                    Pattern.compile("One or more parameter values were invalid: Type mismatch for key|The number of conditions on the keys is invalid"),
                    Pattern.compile("The provided key element does not match the schema"),
                    "<key does not match the schema>"),
            new MessageAlias("ValidationException", Set.of("BatchWriteItem"),
                    Pattern.compile("Too many items requested for the BatchWriteItem call"),
                    Pattern.compile("1 validation error detected: Value '.*' at 'requestItems' failed to satisfy constraint: Map value must"
                            + " satisfy constraint: \\[Member must have length less than or equal to 25, Member must have length greater"
                            + " than or equal to 1]", Pattern.DOTALL),
                    "<more than 25 write requests>"),
            new MessageAlias("ValidationException", Set.of("QueryRequest"),
                    Pattern.compile("Query condition missed key schema element"),
                    Pattern.compile("Query condition missed key schema element: \\S+"),
                    "<query condition missed key schema element>"),
            new MessageAlias("ValidationException", Set.of("CreateTableRequest"),
                    Pattern.compile("No Hash Key specified in schema\\.  All Dynamo DB tables must have exactly one hash key"),
                    Pattern.compile("Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
                    "<first key schema element is not HASH>"),
            new MessageAlias("ValidationException", Set.of("CreateTableRequest"),
                    Pattern.compile("Hash Key not specified in Attribute Definitions\\.  Type unknown\\."),
                    Pattern.compile("Invalid KeySchema: Some index key attribute have no definition|One or more parameter values were"
                            + " invalid: Some index key attributes are not defined in AttributeDefinitions\\. Keys: \\[.*], AttributeDefinitions: \\[.*]"),
                    "<key attribute without definition>"),
            new MessageAlias("ValidationException", ANY,
                    Pattern.compile("DynamoDB only supports precision up to 38 digits"),
                    Pattern.compile("Attempting to store more than 38 significant digits in a Number"),
                    "<more than 38 significant digits>"));

    /** Runtime item errors AWS reports as a {@code ValidationError} cancellation reason of TransactWriteItems. */
    private static final Set<String> TRANSACTION_ITEM_ERRORS = Set.of(
            "The provided expression refers to an attribute that does not exist in the item",
            "The document path provided in the update expression is invalid for update",
            "An operand in the update expression has an incorrect data type",
            "Type mismatch for attribute to update",
            "Item size to update has exceeded the maximum allowed size",
            "Nesting Levels have exceeded supported limits",
            "Attempting to store more than 38 significant digits in a Number",
            "DynamoDB only supports precision up to 38 digits");

    private static final String CONDITIONAL_REASON = "The conditional request failed";

    private LocalQuirks() {
    }

    /** The answer of {@code op} with every known DynamoDB Local quirk mapped to the comparison form. */
    static Object normalize(Op op, Object answer) {
        Object out = numbersInDocuments(answer, true);
        if (out instanceof Map<?, ?> m && m.get("Items") instanceof List<?> items) {
            // Items are compared as a sorted multiset; with their numbers canonical now, sort
            // again (1E+10 and 10000000000 sort apart as written).
            List<Object> sorted = new ArrayList<>(items);
            sorted.sort(java.util.Comparator.comparing(Canonical::json));
            Map<String, Object> copy = copy(m);
            copy.put("Items", sorted);
            out = copy;
        }
        if (out instanceof Map<?, ?> m && m.containsKey("error")) {
            out = error(op, copy(m));
        }
        return out;
    }

    /**
     * Whether two answers that differ only in validation order are equivalent: DynamoDB Local looks
     * the table up before it validates an item request (attribute values, expression operands), so
     * it answers {@code ResourceNotFoundException} for a missing table where AWS answers the request's
     * {@code ValidationException} first. Only item requests on a table the oracle (left, DynamoDB
     * Local) reports missing while the candidate (right) reports a validation error.
     */
    static boolean validationOrderOnly(Op op, Object oracle, Object candidate) {
        if (!ITEM_REQUESTS.stream().anyMatch(op.request()::startsWith)) {
            return false;
        }
        return tableMissing(oracle) && isError(candidate, "ValidationException");
    }

    private static final Set<String> ITEM_REQUESTS = Set.of("PutItemRequest", "UpdateItemRequest", "DeleteItemRequest",
            "GetItemRequest", "QueryRequest", "ScanRequest", "BatchWriteItem", "BatchGetItemRequest", "TransactWriteItemsRequest",
            "TransactGetItemsRequest");

    private static boolean tableMissing(Object answer) {
        return isError(answer, "ResourceNotFoundException");
    }

    private static boolean isError(Object answer, String type) {
        return answer instanceof Map<?, ?> m && type.equals(m.get("error"));
    }

    private static Map<String, Object> error(Op op, Map<String, Object> e) {
        if ("TransactionCanceledException".equals(e.get("error")) && e.get("CancellationReasons") instanceof List<?> reasons) {
            List<Object> fixed = new ArrayList<>();
            for (Object r : reasons) {
                if (r instanceof Map<?, ?> rm) {
                    Map<String, Object> c = copy(rm);
                    // DynamoDB Local ends a ConditionCheck's reason with a period; AWS's text has none.
                    if ((CONDITIONAL_REASON + ".").equals(c.get("Message"))) {
                        c.put("Message", CONDITIONAL_REASON);
                    }
                    if ("ValidationError".equals(c.get("Code")) && TRANSACTION_ITEM_ERRORS.contains(c.get("Message"))
                            && op.request().startsWith("TransactWriteItemsRequest")) {
                        // AWS: a cancellation with a ValidationError reason; DynamoDB Local: a plain ValidationException.
                        return transactionItemError((String) c.get("Message"));
                    }
                    fixed.add(c);
                } else {
                    fixed.add(r);
                }
            }
            e.put("CancellationReasons", fixed);
        }
        if ("ValidationException".equals(e.get("error")) && op.request().startsWith("TransactWriteItemsRequest")
                && TRANSACTION_ITEM_ERRORS.contains(e.get("message"))) {
            return transactionItemError((String) e.get("message"));
        }
        if (e.get("error") instanceof String type && e.get("message") instanceof String message) {
            for (MessageAlias a : ALIASES) {
                if (a.applies(type, op.request(), message)) {
                    e.put("message", a.canonical());
                    break;
                }
            }
        }
        return e;
    }

    private static Map<String, Object> transactionItemError(String message) {
        Map<String, Object> out = new TreeMap<>();
        out.put("error", "<transaction item ValidationError>");
        String compared = message;
        for (MessageAlias a : ALIASES) {
            if (a.applies("ValidationException", "", message)) {
                compared = a.canonical();
                break;
            }
        }
        out.put("message", compared);
        return out;
    }

    /**
     * DynamoDB Local returns numbers as they were written in several places (inside lists and
     * maps, and values written by UpdateItem: {@code 1E+10}, {@code -1.50}); AWS returns every
     * number in canonical form. Numbers ({@code N} and {@code NS} members) are compared
     * canonicalized.
     */
    private static Object numbersInDocuments(Object o, boolean inDocument) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                Object v = e.getValue();
                if (inDocument && m.size() == 1 && "N".equals(k) && v instanceof String s) {
                    out.put(k, canonicalNumber(s));
                } else if (inDocument && m.size() == 1 && "NS".equals(k) && v instanceof List<?> l) {
                    List<String> ns = new ArrayList<>();
                    l.forEach(x -> ns.add(canonicalNumber(String.valueOf(x))));
                    ns.sort(null);
                    out.put(k, ns);
                } else {
                    out.put(k, numbersInDocuments(v, inDocument || (m.size() == 1 && ("L".equals(k) || "M".equals(k)))));
                }
            }
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(numbersInDocuments(x, inDocument)));
            return out;
        }
        return o;
    }

    private static String canonicalNumber(String s) {
        try {
            BigDecimal d = new BigDecimal(s);
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return s;
        }
    }

    private static Map<String, Object> copy(Map<?, ?> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
