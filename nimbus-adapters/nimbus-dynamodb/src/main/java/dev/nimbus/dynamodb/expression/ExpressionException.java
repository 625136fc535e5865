package dev.nimbus.dynamodb.expression;

/**
 * A malformed or unusable expression; the message is DynamoDB's, prefixed with
 * {@code Invalid <Kind>Expression:} where DynamoDB does so. The adapter maps it to a
 * {@code ValidationException}.
 */
public final class ExpressionException extends RuntimeException {
    public ExpressionException(String message) {
        super(message);
    }

    static ExpressionException of(String kind, String detail) {
        return new ExpressionException("Invalid " + kind + ": " + detail);
    }

    static ExpressionException syntax(String kind, String src, String token, int start, int end) {
        int from = Math.max(0, previousTokenStart(src, start));
        int to = Math.min(src.length(), nextTokenEnd(src, end));
        return of(kind, "Syntax error; token: \"" + token + "\", near: \"" + src.substring(from, to).stripLeading() + "\"");
    }

    static ExpressionException invalidChar(String kind, char c) {
        return of(kind, "Syntax error; token: \"" + c + "\", near: \"" + c + "\"");
    }

    private static int previousTokenStart(String s, int at) {
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
            i--;
        }
        while (i >= 0 && !Character.isWhitespace(s.charAt(i))) {
            i--;
        }
        return i + 1;
    }

    private static int nextTokenEnd(String s, int at) {
        int i = at;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
