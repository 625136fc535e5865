package dev.nimbus.dynamodb.expression;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for DynamoDB's expression grammar. Precedence, loosest first:
 * {@code OR}, {@code AND}, {@code NOT}, then comparisons, {@code BETWEEN}, {@code IN},
 * functions and parentheses. Records every placeholder it meets, in order.
 */
final class Parser {
    static final Set<String> CONDITION_FUNCTIONS = Set.of("attribute_exists", "attribute_not_exists",
            "attribute_type", "begins_with", "contains");
    static final Set<String> UPDATE_FUNCTIONS = Set.of("if_not_exists", "list_append");
    /** Words of the grammar itself: where a path is expected they are syntax errors. */
    static final Set<String> GRAMMAR_WORDS = Set.of("AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE");
    /** DynamoDB caps the operands of IN. */
    static final int IN_OPERANDS_MAX = 100;

    private final String src;
    private final String kind;
    private final List<Token> tokens;
    private int pos;
    final Set<String> names = new LinkedHashSet<>();
    final Set<String> values = new LinkedHashSet<>();

    Parser(String src, String kind) {
        this.src = src;
        this.kind = kind;
        this.tokens = Lexer.lex(src, kind);
    }

    // ---- entry points ------------------------------------------------------------------------

    Ast.Condition condition() {
        Ast.Condition c = or();
        expect(Token.Kind.EOF);
        return c;
    }

    List<Ast.Path> projection() {
        List<Ast.Path> paths = new ArrayList<>();
        paths.add(path());
        while (peek().kind() == Token.Kind.COMMA) {
            pos++;
            paths.add(path());
        }
        expect(Token.Kind.EOF);
        return paths;
    }

    List<Ast.UpdateAction> update() {
        List<Ast.UpdateAction> actions = new ArrayList<>();
        Set<String> clauses = new LinkedHashSet<>();
        if (peek().kind() == Token.Kind.EOF) {
            throw syntaxError(peek());
        }
        while (peek().kind() != Token.Kind.EOF) {
            Token t = next();
            String clause = t.kind() == Token.Kind.NAME ? t.text().toUpperCase(java.util.Locale.ROOT) : "";
            if (!Set.of("SET", "REMOVE", "ADD", "DELETE").contains(clause)) {
                throw syntaxError(t);
            }
            if (!clauses.add(clause)) {
                throw ExpressionException.of(kind, "The \"" + clause
                        + "\" section can only be used once in an update expression;");
            }
            do {
                switch (clause) {
                    case "SET" -> {
                        Ast.Path p = path();
                        expect(Token.Kind.EQ);
                        actions.add(new Ast.SetAction(p, setValue()));
                    }
                    case "REMOVE" -> actions.add(new Ast.RemoveAction(path()));
                    case "ADD" -> {
                        Ast.Path p = path();
                        actions.add(new Ast.AddAction(p, valueRef()));
                    }
                    default -> {
                        Ast.Path p = path();
                        actions.add(new Ast.DeleteAction(p, valueRef()));
                    }
                }
            } while (accept(Token.Kind.COMMA));
        }
        return actions;
    }

    // ---- conditions --------------------------------------------------------------------------

    private Ast.Condition or() {
        Ast.Condition left = and();
        while (peek().isWord("OR")) {
            pos++;
            left = new Ast.Or(left, and());
        }
        return left;
    }

    private Ast.Condition and() {
        Ast.Condition left = not();
        while (peek().isWord("AND")) {
            pos++;
            left = new Ast.And(left, not());
        }
        return left;
    }

    private Ast.Condition not() {
        if (peek().isWord("NOT")) {
            pos++;
            return new Ast.Not(not());
        }
        return primary();
    }

    private Ast.Condition primary() {
        Token t = peek();
        if (t.kind() == Token.Kind.LPAREN) {
            pos++;
            Ast.Condition c = or();
            expect(Token.Kind.RPAREN);
            return c;
        }
        if (t.kind() == Token.Kind.NAME && peekAt(1).kind() == Token.Kind.LPAREN
                && !t.text().equals("size")) {
            String fn = t.text();
            if (UPDATE_FUNCTIONS.contains(fn)) {
                throw ExpressionException.of(kind, "The function is not allowed to be used this way in an expression; function: " + fn);
            }
            if (!CONDITION_FUNCTIONS.contains(fn)) {
                throw ExpressionException.of(kind, "Invalid function name; function: " + fn);
            }
            pos += 2;
            List<Ast.Operand> args = new ArrayList<>();
            if (peek().kind() != Token.Kind.RPAREN) {
                args.add(operand());
                while (accept(Token.Kind.COMMA)) {
                    args.add(operand());
                }
            }
            expect(Token.Kind.RPAREN);
            int arity = fn.startsWith("attribute_exists") || fn.startsWith("attribute_not_exists") ? 1 : 2;
            if (args.size() != arity) {
                throw ExpressionException.of(kind, "Incorrect number of operands for operator or function; "
                        + "operator or function: " + fn + ", number of operands: " + args.size());
            }
            if (!(args.get(0) instanceof Ast.PathOperand)) {
                throw ExpressionException.of(kind, "Operator or function requires a document path; operator or function: " + fn);
            }
            Ast.Condition c = new Ast.Function(fn, args);
            Token after = peek();
            if (isComparator(after) || after.isWord("BETWEEN") || after.isWord("IN")) {
                throw ExpressionException.of(kind, "The function is not allowed to be used this way in an expression; function: " + fn);
            }
            return c;
        }
        Ast.Operand left = operand();
        Token op = peek();
        if (isComparator(op)) {
            pos++;
            return new Ast.Compare(comparator(op), left, operand());
        }
        if (op.isWord("BETWEEN")) {
            pos++;
            Ast.Operand low = operand();
            Token and = next();
            if (!and.isWord("AND")) {
                throw syntaxError(and);
            }
            return new Ast.Between(left, low, operand());
        }
        if (op.isWord("IN")) {
            pos++;
            expect(Token.Kind.LPAREN);
            List<Ast.Operand> candidates = new ArrayList<>();
            candidates.add(operand());
            while (accept(Token.Kind.COMMA)) {
                candidates.add(operand());
            }
            expect(Token.Kind.RPAREN);
            if (candidates.size() > IN_OPERANDS_MAX) {
                throw ExpressionException.of(kind, "The IN operator is provided with too many operands; number of operands: "
                        + candidates.size());
            }
            return new Ast.In(left, candidates);
        }
        if (left instanceof Ast.SizeOf) {
            throw ExpressionException.of(kind, "The function is not allowed to be used this way in an expression; function: size");
        }
        throw syntaxError(op);
    }

    private static boolean isComparator(Token t) {
        return switch (t.kind()) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
    }

    private static Ast.Comparator comparator(Token t) {
        return switch (t.kind()) {
            case EQ -> Ast.Comparator.EQ;
            case NE -> Ast.Comparator.NE;
            case LT -> Ast.Comparator.LT;
            case LE -> Ast.Comparator.LE;
            case GT -> Ast.Comparator.GT;
            default -> Ast.Comparator.GE;
        };
    }

    /** A condition operand: a path, a value placeholder or {@code size(path)}. */
    private Ast.Operand operand() {
        Token t = peek();
        if (t.kind() == Token.Kind.VALUE_REF) {
            return valueRef();
        }
        if (t.kind() == Token.Kind.NAME && peekAt(1).kind() == Token.Kind.LPAREN) {
            String fn = t.text();
            if (!fn.equals("size")) {
                if (CONDITION_FUNCTIONS.contains(fn) || UPDATE_FUNCTIONS.contains(fn)) {
                    throw ExpressionException.of(kind, "The function is not allowed to be used this way in an expression; function: " + fn);
                }
                throw ExpressionException.of(kind, "Invalid function name; function: " + fn);
            }
            pos += 2;
            Ast.Operand arg = operand();
            if (peek().kind() == Token.Kind.COMMA) {
                int count = 1;
                while (accept(Token.Kind.COMMA)) {
                    operand();
                    count++;
                }
                throw ExpressionException.of(kind, "Incorrect number of operands for operator or function; "
                        + "operator or function: size, number of operands: " + count);
            }
            expect(Token.Kind.RPAREN);
            if (!(arg instanceof Ast.PathOperand p)) {
                throw ExpressionException.of(kind, "Operator or function requires a document path; operator or function: size");
            }
            return new Ast.SizeOf(p.path());
        }
        return new Ast.PathOperand(path());
    }

    // ---- update operands ---------------------------------------------------------------------

    private Ast.Operand setValue() {
        Ast.Operand left = setTerm();
        Token t = peek();
        if (t.kind() == Token.Kind.PLUS || t.kind() == Token.Kind.MINUS) {
            pos++;
            return new Ast.Arithmetic(left, t.kind() == Token.Kind.PLUS, setTerm());
        }
        return left;
    }

    private Ast.Operand setTerm() {
        Token t = peek();
        if (t.kind() == Token.Kind.VALUE_REF) {
            return valueRef();
        }
        if (t.kind() == Token.Kind.NAME && peekAt(1).kind() == Token.Kind.LPAREN) {
            String fn = t.text();
            if (!UPDATE_FUNCTIONS.contains(fn)) {
                if (CONDITION_FUNCTIONS.contains(fn) || fn.equals("size")) {
                    throw ExpressionException.of(kind, "The function is not allowed in a update expression; function: " + fn);
                }
                throw ExpressionException.of(kind, "Invalid function name; function: " + fn);
            }
            pos += 2;
            List<Ast.Operand> args = new ArrayList<>();
            args.add(setTerm());
            while (accept(Token.Kind.COMMA)) {
                args.add(setTerm());
            }
            expect(Token.Kind.RPAREN);
            if (args.size() != 2) {
                throw ExpressionException.of(kind, "Incorrect number of operands for operator or function; "
                        + "operator or function: " + fn + ", number of operands: " + args.size());
            }
            if (fn.equals("if_not_exists")) {
                if (!(args.get(0) instanceof Ast.PathOperand p)) {
                    throw ExpressionException.of(kind, "Operator or function requires a document path; operator or function: if_not_exists");
                }
                return new Ast.IfNotExists(p.path(), args.get(1));
            }
            return new Ast.ListAppend(args.get(0), args.get(1));
        }
        return new Ast.PathOperand(path());
    }

    private Ast.Operand valueRef() {
        Token t = next();
        if (t.kind() != Token.Kind.VALUE_REF) {
            throw syntaxError(t);
        }
        values.add(t.text());
        return new Ast.ValueRef(t.text());
    }

    // ---- paths -------------------------------------------------------------------------------

    private Ast.Path path() {
        List<Object> elements = new ArrayList<>();
        elements.add(pathName());
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.DOT) {
                pos++;
                elements.add(pathName());
            } else if (t.kind() == Token.Kind.LBRACK) {
                pos++;
                Token n = next();
                if (n.kind() != Token.Kind.NUMBER) {
                    throw syntaxError(n);
                }
                int index;
                try {
                    index = Integer.parseInt(n.text());
                } catch (NumberFormatException e) {
                    throw ExpressionException.of(kind, "List index is not within the allowable range; index: " + n.text());
                }
                expect(Token.Kind.RBRACK);
                elements.add(index);
            } else {
                return new Ast.Path(elements);
            }
        }
    }

    private String pathName() {
        Token t = next();
        if (t.kind() == Token.Kind.NAME_REF) {
            names.add(t.text());
            return t.text();
        }
        if (t.kind() == Token.Kind.NAME) {
            if (Character.isDigit(t.text().charAt(0))) {
                throw syntaxError(t);
            }
            if (GRAMMAR_WORDS.contains(t.text().toUpperCase(java.util.Locale.ROOT))) {
                throw syntaxError(t);
            }
            if (ReservedWords.is(t.text())) {
                throw ExpressionException.of(kind, "Attribute name is a reserved keyword; reserved keyword: " + t.text());
            }
            return t.text();
        }
        throw syntaxError(t);
    }

    // ---- tokens ------------------------------------------------------------------------------

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Token.Kind.EOF) {
            pos++;
        }
        return t;
    }

    private boolean accept(Token.Kind k) {
        if (peek().kind() == k) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(Token.Kind k) {
        Token t = next();
        if (t.kind() != k) {
            throw syntaxError(t);
        }
    }

    private ExpressionException syntaxError(Token t) {
        return ExpressionException.syntax(kind, src, t.text(), t.start(), t.end());
    }
}
