package dev.nimbus.dynamodb.expression;

import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; an unknown character is a syntax error at that token. */
final class Lexer {
    private Lexer() {
    }

    static List<Token> lex(String src, String kind) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            Token.Kind k;
            switch (c) {
                case '(' -> k = Token.Kind.LPAREN;
                case ')' -> k = Token.Kind.RPAREN;
                case '[' -> k = Token.Kind.LBRACK;
                case ']' -> k = Token.Kind.RBRACK;
                case ',' -> k = Token.Kind.COMMA;
                case '.' -> k = Token.Kind.DOT;
                case '=' -> k = Token.Kind.EQ;
                case '+' -> k = Token.Kind.PLUS;
                case '-' -> k = Token.Kind.MINUS;
                case '<' -> {
                    if (i + 1 < n && src.charAt(i + 1) == '>') {
                        k = Token.Kind.NE;
                        i++;
                    } else if (i + 1 < n && src.charAt(i + 1) == '=') {
                        k = Token.Kind.LE;
                        i++;
                    } else {
                        k = Token.Kind.LT;
                    }
                }
                case '>' -> {
                    if (i + 1 < n && src.charAt(i + 1) == '=') {
                        k = Token.Kind.GE;
                        i++;
                    } else {
                        k = Token.Kind.GT;
                    }
                }
                case '#', ':' -> {
                    int j = i + 1;
                    while (j < n && isWordChar(src.charAt(j))) {
                        j++;
                    }
                    if (j == i + 1) {
                        throw ExpressionException.syntax(kind, src, String.valueOf(c), start, j);
                    }
                    out.add(new Token(c == '#' ? Token.Kind.NAME_REF : Token.Kind.VALUE_REF, src.substring(i, j), start, j));
                    i = j;
                    continue;
                }
                default -> {
                    if (isWordChar(c)) {
                        int j = i;
                        while (j < n && isWordChar(src.charAt(j))) {
                            j++;
                        }
                        String word = src.substring(i, j);
                        boolean digits = word.chars().allMatch(Character::isDigit);
                        out.add(new Token(digits ? Token.Kind.NUMBER : Token.Kind.NAME, word, start, j));
                        i = j;
                        continue;
                    }
                    throw ExpressionException.invalidChar(kind, c);
                }
            }
            i++;
            out.add(new Token(k, src.substring(start, i), start, i));
        }
        out.add(new Token(Token.Kind.EOF, "<EOF>", n, n));
        return out;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
