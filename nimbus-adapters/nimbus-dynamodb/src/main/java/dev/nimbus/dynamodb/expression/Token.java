package dev.nimbus.dynamodb.expression;

/** One lexical token of an expression, with its place in the source for error messages. */
record Token(Kind kind, String text, int start, int end) {
    enum Kind {
        NAME, NAME_REF, VALUE_REF, NUMBER, LPAREN, RPAREN, LBRACK, RBRACK, COMMA, DOT,
        EQ, NE, LT, LE, GT, GE, PLUS, MINUS, EOF
    }

    boolean isWord(String word) {
        return kind == Kind.NAME && text.equalsIgnoreCase(word);
    }
}
