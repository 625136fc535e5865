package dev.nimbus.dynamodb.expression;

import dev.nimbus.core.value.Value;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The expressions of one request with their ExpressionAttributeNames and -Values: parses each
 * expression, checks that every placeholder is defined, and at the end that every supplied
 * placeholder was used, with DynamoDB's messages.
 */
public final class ExpressionContext {
    /** Longest expression DynamoDB accepts, in bytes. */
    public static final int EXPRESSION_BYTES_MAX = 4096;

    private final Map<String, String> names;
    private final Map<String, Value> values;
    private final Set<String> usedNames = new LinkedHashSet<>();
    private final Set<String> usedValues = new LinkedHashSet<>();
    private int expressions;

    /** {@code names}/{@code values} are null when the request did not send them. */
    public ExpressionContext(Map<String, String> names, Map<String, Value> values) {
        this.names = names;
        this.values = values;
        if (names != null && names.isEmpty()) {
            throw new ExpressionException("ExpressionAttributeNames must not be empty");
        }
        if (values != null && values.isEmpty()) {
            throw new ExpressionException("ExpressionAttributeValues must not be empty");
        }
    }

    /** A condition as parsed: immutable, and the same for every request that sends the same text. */
    private record ParsedCondition(Ast.Condition condition, List<String> names, List<String> values) {
    }

    /** Parsed conditions by kind and text (key conditions and filters repeat request after request). */
    private static final dev.nimbus.core.util.BoundedMemo<List<String>, ParsedCondition> CONDITIONS =
            new dev.nimbus.core.util.BoundedMemo<>(1024, kindAndText -> {
                Parser p = new Parser(kindAndText.get(1), kindAndText.get(0));
                return new ParsedCondition(p.condition(), List.copyOf(p.names), List.copyOf(p.values));
            });

    public Ast.Condition condition(String kind, String src) {
        checkText(kind, src);
        ParsedCondition parsed = CONDITIONS.get(List.of(kind, src));
        Ast.Condition c = parsed.condition();
        if (!kind.equals("KeyConditionExpression")) {
            OperandTypes.checkCondition(kind, c, this); // before the placeholder check, as DynamoDB does
        }
        checkDefined(kind, parsed.names(), parsed.values());
        return c;
    }

    public List<Ast.Path> projection(String src) {
        String kind = "ProjectionExpression";
        Parser p = parser(kind, src);
        List<Ast.Path> paths = p.projection();
        checkDefined(kind, p);
        List<List<Object>> resolved = new ArrayList<>();
        for (Ast.Path path : paths) {
            resolved.add(resolve(path));
        }
        checkOverlap(kind, resolved);
        return paths;
    }

    public List<Ast.UpdateAction> update(String src) {
        String kind = "UpdateExpression";
        Parser p = parser(kind, src);
        List<Ast.UpdateAction> actions = p.update();
        checkDefined(kind, p);
        List<List<Object>> resolved = new ArrayList<>();
        for (Ast.UpdateAction a : actions) {
            resolved.add(resolve(a.path()));
        }
        checkOverlap(kind, resolved);
        OperandTypes.checkUpdate(actions, this);
        return actions;
    }

    /** After all expressions of the request are parsed: refuses unused placeholders. */
    public void checkUnused() {
        if (expressions == 0) {
            if (names != null) {
                throw new ExpressionException("ExpressionAttributeNames can only be specified when using expressions");
            }
            if (values != null) {
                throw new ExpressionException("ExpressionAttributeValues can only be specified when using expressions");
            }
            return;
        }
        if (names != null) {
            Set<String> unused = new TreeSet<>(names.keySet());
            unused.removeAll(usedNames);
            if (!unused.isEmpty()) {
                throw new ExpressionException("Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                        + String.join(", ", unused) + "}");
            }
        }
        if (values != null) {
            Set<String> unused = new TreeSet<>(values.keySet());
            unused.removeAll(usedValues);
            if (!unused.isEmpty()) {
                throw new ExpressionException("Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                        + String.join(", ", unused) + "}");
            }
        }
    }

    /** The path with its name placeholders substituted: attribute names and list indexes. */
    public List<Object> resolve(Ast.Path path) {
        List<Object> out = new ArrayList<>(path.elements().size());
        for (Object e : path.elements()) {
            out.add(e instanceof String s && s.startsWith("#") ? names.get(s) : e);
        }
        return out;
    }

    public Value value(String ref) {
        return values == null ? null : values.get(ref);
    }

    private Parser parser(String kind, String src) {
        checkText(kind, src);
        return new Parser(src, kind);
    }

    /** Counts an expression of the request and refuses an empty or oversized one. */
    private void checkText(String kind, String src) {
        expressions++;
        if (src.isEmpty()) {
            throw ExpressionException.of(kind, "The expression can not be empty;");
        }
        int bytes = src.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > EXPRESSION_BYTES_MAX) {
            throw ExpressionException.of(kind, "Expression size has exceeded the maximum allowed size; expression size: " + bytes);
        }
    }

    private void checkDefined(String kind, Parser p) {
        checkDefined(kind, p.names, p.values);
    }

    private void checkDefined(String kind, java.util.Collection<String> usedNamesHere, java.util.Collection<String> usedValuesHere) {
        for (String n : usedNamesHere) {
            if (names == null || !names.containsKey(n)) {
                throw ExpressionException.of(kind, "An expression attribute name used in the document path is not defined; attribute name: " + n);
            }
        }
        for (String v : usedValuesHere) {
            if (values == null || !values.containsKey(v)) {
                throw ExpressionException.of(kind, "An expression attribute value used in expression is not defined; attribute value: " + v);
            }
        }
        usedNames.addAll(usedNamesHere);
        usedValues.addAll(usedValuesHere);
    }

    private static void checkOverlap(String kind, List<List<Object>> paths) {
        for (int i = 0; i < paths.size(); i++) {
            for (int j = i + 1; j < paths.size(); j++) {
                List<Object> a = paths.get(i);
                List<Object> b = paths.get(j);
                int n = Math.min(a.size(), b.size());
                if (a.subList(0, n).equals(b.subList(0, n))) {
                    // DynamoDB says "overlap" for equal paths as well as for a path inside another.
                    throw ExpressionException.of(kind, "Two document paths overlap with each other; must remove or "
                            + "rewrite one of these paths; path one: " + show(a) + ", path two: " + show(b));
                }
            }
        }
    }

    static String show(List<Object> path) {
        List<String> parts = new ArrayList<>();
        for (Object e : path) {
            parts.add(e instanceof Integer i ? "[" + i + "]" : (String) e);
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
