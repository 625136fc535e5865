package dev.nimbus.dynamodb.expression;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates conditions and operands against an item the way DynamoDB does: comparisons only
 * between values of one DynamoDB type (numbers numerically, strings by UTF-8 bytes, binaries
 * unsigned), a missing attribute fails every test except {@code <>} and
 * {@code attribute_not_exists}.
 */
public final class Evaluator {
    static final Set<String> TYPE_NAMES = Set.of("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M");

    private Evaluator() {
    }

    public static boolean test(Ast.Condition c, Map<String, Value> item, ExpressionContext ctx) {
        return switch (c) {
            case Ast.And a -> test(a.left(), item, ctx) && test(a.right(), item, ctx);
            case Ast.Or o -> test(o.left(), item, ctx) || test(o.right(), item, ctx);
            case Ast.Not n -> !test(n.operand(), item, ctx);
            case Ast.Compare cmp -> compare(cmp.op(), operand(cmp.left(), item, ctx), operand(cmp.right(), item, ctx));
            case Ast.Between b -> {
                Value v = operand(b.value(), item, ctx);
                Value lo = operand(b.low(), item, ctx);
                Value hi = operand(b.high(), item, ctx);
                if (lo != null && hi != null && comparable(lo, hi) && order(lo, hi) > 0) {
                    throw new ExpressionException("Invalid " + "ConditionExpression: The BETWEEN operator requires upper bound "
                            + "to be greater than or equal to lower bound; lower bound operand: AttributeValue: "
                            + show(lo) + ", upper bound operand: AttributeValue: " + show(hi));
                }
                yield compare(Ast.Comparator.GE, v, lo) && compare(Ast.Comparator.LE, v, hi);
            }
            case Ast.In in -> {
                Value v = operand(in.value(), item, ctx);
                for (Ast.Operand o : in.candidates()) {
                    if (compare(Ast.Comparator.EQ, v, operand(o, item, ctx))) {
                        yield true;
                    }
                }
                yield false;
            }
            case Ast.Function f -> function(f, item, ctx);
        };
    }

    private static boolean function(Ast.Function f, Map<String, Value> item, ExpressionContext ctx) {
        Value first = operand(f.args().get(0), item, ctx);
        return switch (f.name()) {
            case "attribute_exists" -> first != null;
            case "attribute_not_exists" -> first == null;
            case "attribute_type" -> {
                Value t = operand(f.args().get(1), item, ctx);
                if (!(t instanceof Value.Str s) || !TYPE_NAMES.contains(s.value())) {
                    throw new ExpressionException("Invalid ConditionExpression: Invalid attribute type name found; type: "
                            + (t instanceof Value.Str s2 ? s2.value() : show(t)) + ", valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
                }
                yield first != null && typeOf(first).equals(s.value());
            }
            case "begins_with" -> {
                Value prefix = operand(f.args().get(1), item, ctx);
                if (first instanceof Value.Str s && prefix instanceof Value.Str p) {
                    yield s.value().startsWith(p.value());
                }
                if (first instanceof Value.Bytes b && prefix instanceof Value.Bytes p) {
                    byte[] bb = b.toByteArray();
                    byte[] pb = p.toByteArray();
                    yield bb.length >= pb.length && Arrays.equals(bb, 0, pb.length, pb, 0, pb.length);
                }
                yield false;
            }
            case "contains" -> {
                Value needle = operand(f.args().get(1), item, ctx);
                if (first == null || needle == null) {
                    yield false;
                }
                if (first instanceof Value.Str s && needle instanceof Value.Str n) {
                    yield s.value().contains(n.value());
                }
                if (first instanceof Value.Bytes b && needle instanceof Value.Bytes n) {
                    yield indexOf(b.toByteArray(), n.toByteArray()) >= 0;
                }
                if (first instanceof Value.TypedSet set) {
                    yield set.elements().stream().anyMatch(e -> compare(Ast.Comparator.EQ, e, needle));
                }
                if (first instanceof Value.Array list) {
                    yield list.elements().stream().anyMatch(e -> compare(Ast.Comparator.EQ, e, needle));
                }
                yield false;
            }
            default -> throw new IllegalStateException(f.name());
        };
    }

    /** An operand's value, or null when the path does not exist. */
    public static Value operand(Ast.Operand o, Map<String, Value> item, ExpressionContext ctx) {
        return switch (o) {
            case Ast.ValueRef r -> ctx.value(r.name());
            case Ast.PathOperand p -> get(item, ctx.resolve(p.path()));
            case Ast.SizeOf s -> {
                Value v = get(item, ctx.resolve(s.path()));
                long size = switch (v) {
                    case null -> -1;
                    case Value.Str str -> str.value().length(); // DynamoDB counts UTF-16 code units, not bytes
                    case Value.Bytes b -> b.length();
                    case Value.TypedSet set -> set.elements().size();
                    case Value.Array a -> a.elements().size();
                    case Value.Obj m -> m.fields().size();
                    default -> -1;
                };
                yield size < 0 ? null : new Value.Decimal(BigDecimal.valueOf(size));
            }
            case Ast.IfNotExists i -> {
                Value v = get(item, ctx.resolve(i.path()));
                yield v != null ? v : operand(i.fallback(), item, ctx);
            }
            case Ast.ListAppend l -> {
                Value a = operand(l.first(), item, ctx);
                Value b = operand(l.second(), item, ctx);
                if (a == null || b == null) {
                    throw new ExpressionException("The provided expression refers to an attribute that does not exist in the item");
                }
                if (!(a instanceof Value.Array la) || !(b instanceof Value.Array lb)) {
                    boolean firstBad = !(a instanceof Value.Array);
                    if (!((firstBad ? l.first() : l.second()) instanceof Ast.ValueRef)) {
                        throw new ExpressionException(Updater.INCORRECT_DATA_TYPE); // an attribute of the item, found at run time
                    }
                    throw new ExpressionException("Invalid UpdateExpression: Incorrect operand type for operator or function; "
                            + "operator or function: list_append, operand type: " + OperandTypes.longName(typeOf(firstBad ? a : b)));
                }
                java.util.List<Value> all = new java.util.ArrayList<>(la.elements());
                all.addAll(lb.elements());
                yield Value.array(all);
            }
            case Ast.Arithmetic a -> {
                Value l = operand(a.left(), item, ctx);
                Value r = operand(a.right(), item, ctx);
                if (l == null || r == null) {
                    throw new ExpressionException("The provided expression refers to an attribute that does not exist in the item");
                }
                if (!(l instanceof Value.Decimal ld) || !(r instanceof Value.Decimal rd)) {
                    throw new ExpressionException(Updater.INCORRECT_DATA_TYPE);
                }
                BigDecimal sum = a.plus() ? ld.value().add(rd.value()) : ld.value().subtract(rd.value());
                yield dev.nimbus.dynamodb.AttributeCodec.number(sum.toPlainString());
            }
        };
    }

    /** The value at a resolved path, or null. */
    public static Value get(Map<String, Value> item, List<Object> path) {
        Value v = item.get((String) path.get(0));
        for (int i = 1; i < path.size() && v != null; i++) {
            Object e = path.get(i);
            if (e instanceof String name) {
                v = v instanceof Value.Obj o ? o.fields().get(name) : null;
            } else {
                int index = (Integer) e;
                v = v instanceof Value.Array a && index < a.elements().size() ? a.elements().get(index) : null;
            }
        }
        return v;
    }

    static boolean compare(Ast.Comparator op, Value a, Value b) {
        if (a == null || b == null) {
            return op == Ast.Comparator.NE && !(a == null && b == null);
        }
        if (op == Ast.Comparator.EQ || op == Ast.Comparator.NE) {
            boolean equal = typeOf(a).equals(typeOf(b)) && ValueOrder.compare(a, b) == 0;
            return op == Ast.Comparator.EQ ? equal : !equal;
        }
        if (!comparable(a, b)) {
            return false;
        }
        int c = order(a, b);
        return switch (op) {
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            default -> c >= 0;
        };
    }

    private static boolean comparable(Value a, Value b) {
        String t = typeOf(a);
        return t.equals(typeOf(b)) && (t.equals("S") || t.equals("N") || t.equals("B"));
    }

    private static int order(Value a, Value b) {
        return ValueOrder.compare(a, b);
    }

    static String typeOf(Value v) {
        return dev.nimbus.dynamodb.AttributeCodec.typeOf(v);
    }

    static String show(Value v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Value.Bytes b) {
            return showBinary(b);
        }
        Object wire = dev.nimbus.dynamodb.AttributeCodec.encode(v);
        Map.Entry<?, ?> e = ((Map<?, ?>) wire).entrySet().iterator().next();
        return "{" + e.getKey() + ":" + e.getValue() + "}";
    }

    /** How DynamoDB prints a binary operand in an error message (its Java buffer's description). */
    public static String showBinary(Value.Bytes b) {
        int n = b.toByteArray().length;
        return "{B:java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]}";
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
