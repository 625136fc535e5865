package dev.nimbus.core.testing;

import dev.nimbus.core.value.Value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random values for property tests, biased toward the cases that break encodings: numerically
 * equal numbers of different representation, NaN, ±0.0, ±infinity, extreme longs, decimals
 * beyond double precision, strings with NUL, non-BMP and U+E000..U+FFFF characters, bytes with
 * 0x00/0xFF, nesting. Shared with the storage conformance kit (test-jar).
 */
public final class RandomValues {
    private final Random random;
    private final int depthMax;

    public RandomValues(Random random) {
        this(random, 3);
    }

    public RandomValues(Random random, int depthMax) {
        this.random = random;
        this.depthMax = depthMax;
    }

    public Value value() {
        return value(0);
    }

    /** A scalar: no arrays, objects or sets. */
    public Value scalar() {
        return switch (random.nextInt(12)) {
            case 0 -> Value.nullValue();
            case 1 -> Value.of(random.nextBoolean());
            case 2, 3, 4, 5 -> number();
            case 6 -> Value.of(timestamp());
            case 7, 8 -> Value.of(string());
            case 9 -> Value.of(bytes());
            case 10 -> objectId();
            default -> switch (random.nextInt(2)) {
                case 0 -> new Value.Reference("c" + random.nextInt(5) + "/" + string() + "x");
                default -> new Value.GeoPoint(random.nextInt(180) - 90 + (random.nextBoolean() ? 0.5 : 0),
                        random.nextInt(361) - 180);
            };
        };
    }

    public Value value(int depth) {
        if (depth >= depthMax || random.nextInt(10) < 7) {
            return scalar();
        }
        return switch (random.nextInt(3)) {
            case 0 -> {
                int n = random.nextInt(4);
                List<Value> elements = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    elements.add(value(depth + 1));
                }
                yield new Value.Array(elements);
            }
            case 1 -> {
                int n = random.nextInt(4);
                Map<String, Value> fields = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    fields.put(random.nextInt(4) == 0 ? "" : key(), value(depth + 1));
                }
                yield new Value.Obj(fields);
            }
            default -> {
                int n = 1 + random.nextInt(3);
                Value.TypedSet.SetKind kind = Value.TypedSet.SetKind.values()[random.nextInt(3)];
                List<Value> elements = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    elements.add(switch (kind) {
                        case STRING -> Value.of(string());
                        case NUMBER -> number();
                        case BYTES -> Value.of(bytes());
                    });
                }
                yield new Value.TypedSet(kind, elements);
            }
        };
    }

    private static final double[] SPECIAL_DOUBLES = {
        Double.NaN, 0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300, 0.1, -0.1,
        9007199254740993.0, 1.5, -1.5, 1e22, 123456.789
    };

    public Value number() {
        // A shared base so different representations of the same number collide often.
        BigDecimal base = switch (random.nextInt(6)) {
            case 0 -> BigDecimal.valueOf(random.nextInt(7) - 3);
            case 1 -> BigDecimal.valueOf(random.nextLong());
            case 2 -> new BigDecimal(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 3 -> new BigDecimal(new BigInteger(80 + random.nextInt(60), random),
                    random.nextInt(60) - 30); // beyond double precision
            case 4 -> BigDecimal.valueOf(random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE)
                    .add(BigDecimal.valueOf(random.nextInt(3) - 1));
            default -> null;
        };
        if (base == null) {
            return Value.of(SPECIAL_DOUBLES[random.nextInt(SPECIAL_DOUBLES.length)]);
        }
        if (random.nextBoolean()) {
            base = base.negate();
        }
        switch (random.nextInt(3)) {
            case 0:
                try {
                    return Value.of(base.longValueExact());
                } catch (ArithmeticException e) {
                    return Value.of(base.doubleValue());
                }
            case 1:
                return Value.of(base.doubleValue());
            default:
                BigDecimal d = base.precision() > 200 ? base.round(new java.math.MathContext(200)) : base;
                if (random.nextInt(3) == 0) {
                    d = d.setScale(Math.max(d.scale(), 0) + random.nextInt(3));
                }
                return Value.of(d);
        }
    }

    private static final int[] SPECIAL_CHARS = {
        0x00, 0x01, 0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF,
        0x10000, 0x1F600, 0x10FFFF, 'a', 'b', 'z', 'A', '.', '$'
    };

    public String string() {
        int n = random.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp = random.nextBoolean()
                    ? SPECIAL_CHARS[random.nextInt(SPECIAL_CHARS.length)]
                    : 'a' + random.nextInt(3);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private String key() {
        return random.nextInt(5) == 0 ? "$" + string() : "k" + random.nextInt(5) + string();
    }

    public byte[] bytes() {
        byte[] b = new byte[random.nextInt(5)];
        for (int i = 0; i < b.length; i++) {
            int pick = random.nextInt(4);
            b[i] = (byte) (pick == 0 ? 0x00 : pick == 1 ? 0xFF : random.nextInt(256));
        }
        return b;
    }

    public Instant timestamp() {
        long seconds = random.nextBoolean() ? random.nextInt(2_000_000_000) - 1_000_000_000L
                : random.nextInt(5) - 2;
        return Instant.ofEpochSecond(seconds, random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
    }

    public Value objectId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        if (random.nextBoolean()) {
            b[11] = 0;
        }
        return new Value.ObjectId(b);
    }
}
