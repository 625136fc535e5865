package dev.nimbus.dynamodb.expression;

import dev.nimbus.core.value.Value;

import java.util.List;
import java.util.Set;

/**
 * The checks DynamoDB makes on the types of expression attribute values when it parses an
 * expression, before any item is read: an ADD operand must be a number or a set, a DELETE
 * operand a set, and the operands of {@code < <= > >=} and {@code BETWEEN} must be a string,
 * number or binary. A refused request is a {@code ValidationException} whatever the item holds.
 */
final class OperandTypes {
    private static final Set<String> ADD_TYPES = Set.of("N", "SS", "NS", "BS");
    private static final Set<String> DELETE_TYPES = Set.of("SS", "NS", "BS");
    private static final Set<String> ORDERED_TYPES = Set.of("S", "N", "B");

    private OperandTypes() {
    }

    /** Refuses ADD/DELETE actions whose value placeholder has a type the action cannot take. */
    static void checkUpdate(List<Ast.UpdateAction> actions, ExpressionContext ctx) {
        // DynamoDB reports the last offending action as written.
        for (Ast.UpdateAction a : actions.reversed()) {
            switch (a) {
                case Ast.AddAction add -> {
                    Value v = valueOf(add.value(), ctx);
                    if (v != null && !ADD_TYPES.contains(Evaluator.typeOf(v))) {
                        throw badUpdateOperand("ADD", v);
                    }
                }
                case Ast.DeleteAction del -> {
                    Value v = valueOf(del.value(), ctx);
                    if (v != null && !DELETE_TYPES.contains(Evaluator.typeOf(v))) {
                        throw badUpdateOperand("DELETE", v);
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Refuses ordering comparisons and BETWEEN on a value placeholder that is not S, N or B. */
    static void checkCondition(String kind, Ast.Condition c, ExpressionContext ctx) {
        switch (c) {
            case Ast.And a -> {
                checkCondition(kind, a.left(), ctx);
                checkCondition(kind, a.right(), ctx);
            }
            case Ast.Or o -> {
                checkCondition(kind, o.left(), ctx);
                checkCondition(kind, o.right(), ctx);
            }
            case Ast.Not n -> checkCondition(kind, n.operand(), ctx);
            case Ast.Compare cmp -> {
                if (cmp.op() != Ast.Comparator.EQ && cmp.op() != Ast.Comparator.NE) {
                    checkOrdered(kind, cmp.op().symbol, cmp.left(), ctx);
                    checkOrdered(kind, cmp.op().symbol, cmp.right(), ctx);
                }
            }
            case Ast.Between b -> {
                checkOrdered(kind, "BETWEEN", b.value(), ctx);
                checkOrdered(kind, "BETWEEN", b.low(), ctx);
                checkOrdered(kind, "BETWEEN", b.high(), ctx);
            }
            default -> {
            }
        }
    }

    private static void checkOrdered(String kind, String operator, Ast.Operand operand, ExpressionContext ctx) {
        Value v = valueOf(operand, ctx);
        if (v != null && !ORDERED_TYPES.contains(Evaluator.typeOf(v))) {
            throw ExpressionException.of(kind, "Incorrect operand type for operator or function; operator or function: "
                    + operator + ", operand type: " + Evaluator.typeOf(v));
        }
    }

    /** The error for an ADD or DELETE whose operand has a type the action cannot take. */
    static ExpressionException badUpdateOperand(String action, Value operand) {
        return new ExpressionException("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
                + action + ", operand type: " + longName(Evaluator.typeOf(operand)) + ", typeSet: ALLOWED_FOR_" + action + "_OPERAND");
    }

    /** DynamoDB's long type name, as update-expression operand errors print it. */
    static String longName(String type) {
        return switch (type) {
            case "S" -> "STRING";
            case "N" -> "NUMBER";
            case "B" -> "BINARY";
            case "BOOL" -> "BOOLEAN";
            case "M" -> "MAP";
            case "L" -> "LIST";
            default -> type;
        };
    }

    private static Value valueOf(Ast.Operand operand, ExpressionContext ctx) {
        return operand instanceof Ast.ValueRef ref ? ctx.value(ref.name()) : null;
    }
}
