package dev.nimbus.dynamodb.expression;

import java.util.List;

/** The parsed forms of DynamoDB expressions. Placeholders stay as written until evaluation. */
public final class Ast {
    private Ast() {
    }

    /** A document path: names (attribute names or {@code #placeholders}) and list indexes. */
    public record Path(List<Object> elements) {
        public Path {
            elements = List.copyOf(elements);
        }

        public boolean isTopLevelName() {
            return elements.size() == 1 && elements.get(0) instanceof String;
        }
    }

    /** A value-producing operand. */
    public sealed interface Operand permits PathOperand, ValueRef, SizeOf, IfNotExists, ListAppend, Arithmetic {
    }

    public record PathOperand(Path path) implements Operand {
    }

    public record ValueRef(String name) implements Operand {
    }

    public record SizeOf(Path path) implements Operand {
    }

    public record IfNotExists(Path path, Operand fallback) implements Operand {
    }

    public record ListAppend(Operand first, Operand second) implements Operand {
    }

    public record Arithmetic(Operand left, boolean plus, Operand right) implements Operand {
    }

    /** A boolean condition (ConditionExpression, FilterExpression, KeyConditionExpression). */
    public sealed interface Condition permits Compare, Between, In, Function, And, Or, Not {
    }

    public enum Comparator {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        public final String symbol;

        Comparator(String symbol) {
            this.symbol = symbol;
        }
    }

    public record Compare(Comparator op, Operand left, Operand right) implements Condition {
    }

    public record Between(Operand value, Operand low, Operand high) implements Condition {
    }

    public record In(Operand value, List<Operand> candidates) implements Condition {
    }

    public record Function(String name, List<Operand> args) implements Condition {
    }

    public record And(Condition left, Condition right) implements Condition {
    }

    public record Or(Condition left, Condition right) implements Condition {
    }

    public record Not(Condition operand) implements Condition {
    }

    /** One action of an UpdateExpression. */
    public sealed interface UpdateAction permits SetAction, RemoveAction, AddAction, DeleteAction {
        Path path();
    }

    public record SetAction(Path path, Operand value) implements UpdateAction {
    }

    public record RemoveAction(Path path) implements UpdateAction {
    }

    public record AddAction(Path path, Operand value) implements UpdateAction {
    }

    public record DeleteAction(Path path, Operand value) implements UpdateAction {
    }
}
