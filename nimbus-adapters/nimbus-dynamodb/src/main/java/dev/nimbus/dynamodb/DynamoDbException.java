package dev.nimbus.dynamodb;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error in DynamoDB's own shape: HTTP status, {@code __type} (namespace prefix + name) and
 * message, plus the extra members some errors carry ({@code Item}, {@code CancellationReasons}).
 */
public final class DynamoDbException extends RuntimeException {
    static final String DYNAMODB = "com.amazonaws.dynamodb.v20120810#";
    static final String CORAL_SERVICE = "com.amazon.coral.service#";
    static final String CORAL_VALIDATE = "com.amazon.coral.validate#";

    private final int status;
    private final String type;
    private final Map<String, Object> extra;

    public DynamoDbException(int status, String type, String message, Map<String, Object> extra) {
        super(message);
        this.status = status;
        this.type = type;
        this.extra = extra;
    }

    public DynamoDbException(int status, String type, String message) {
        this(status, type, message, Map.of());
    }

    public int status() {
        return status;
    }

    /** The full {@code __type}, e.g. {@code com.amazonaws.dynamodb.v20120810#ResourceNotFoundException}. */
    public String type() {
        return type;
    }

    /** The short name after '#'. */
    public String name() {
        return type.substring(type.indexOf('#') + 1);
    }

    public Map<String, Object> body() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("__type", type);
        if (getMessage() != null && !getMessage().isEmpty()) {
            b.put("message", getMessage());
        }
        b.putAll(extra);
        return b;
    }

    // ---- the errors this adapter sends -------------------------------------------------------

    public static DynamoDbException validation(String message) {
        return new DynamoDbException(400, CORAL_VALIDATE + "ValidationException", message);
    }

    public static DynamoDbException serialization(String message) {
        return new DynamoDbException(400, CORAL_SERVICE + "SerializationException", message);
    }

    public static DynamoDbException unknownOperation() {
        return new DynamoDbException(400, CORAL_SERVICE + "UnknownOperationException", null);
    }

    public static DynamoDbException missingAuthenticationToken() {
        return new DynamoDbException(400, CORAL_SERVICE + "MissingAuthenticationTokenException",
                "Request is missing Authentication Token");
    }

    public static DynamoDbException incompleteSignature(String message) {
        return new DynamoDbException(400, CORAL_SERVICE + "IncompleteSignatureException", message);
    }

    public static DynamoDbException unrecognizedClient() {
        return new DynamoDbException(400, CORAL_SERVICE + "UnrecognizedClientException",
                "The security token included in the request is invalid.");
    }

    public static DynamoDbException invalidSignature(String message) {
        return new DynamoDbException(400, CORAL_SERVICE + "InvalidSignatureException", message);
    }

    public static DynamoDbException resourceNotFound(String message) {
        return new DynamoDbException(400, DYNAMODB + "ResourceNotFoundException", message);
    }

    /** What item operations on a missing table say (AWS; DynamoDB Local says "Cannot do operations on a non-existent table"). */
    public static DynamoDbException tableNotFound() {
        return resourceNotFound("Requested resource not found");
    }

    public static DynamoDbException resourceInUse(String message) {
        return new DynamoDbException(400, DYNAMODB + "ResourceInUseException", message);
    }

    public static DynamoDbException conditionalCheckFailed(Map<String, Object> item) {
        return new DynamoDbException(400, DYNAMODB + "ConditionalCheckFailedException",
                "The conditional request failed", item == null ? Map.of() : Map.of("Item", item));
    }

    public static DynamoDbException transactionCanceled(String message, java.util.List<Object> reasons) {
        return new DynamoDbException(400, DYNAMODB + "TransactionCanceledException", message,
                Map.of("CancellationReasons", reasons));
    }

    public static DynamoDbException transactionConflict(String message) {
        return new DynamoDbException(400, DYNAMODB + "TransactionConflictException", message);
    }

    public static DynamoDbException idempotentParameterMismatch() {
        return new DynamoDbException(400, DYNAMODB + "IdempotentParameterMismatchException",
                "Request token has been used with different parameters");
    }

    public static DynamoDbException internal(String message) {
        return new DynamoDbException(500, DYNAMODB + "InternalServerError", message);
    }

    public static DynamoDbException throttled(String message) {
        return new DynamoDbException(400, DYNAMODB + "ProvisionedThroughputExceededException", message);
    }
}
