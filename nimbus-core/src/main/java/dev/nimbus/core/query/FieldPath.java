package dev.nimbus.core.query;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

import java.util.List;

/** A dotted path into a document: {@code address.city}, {@code items.0.sku}. */
public record FieldPath(List<String> segments) {
    public static final int SEGMENTS_MAX = 64;

    public FieldPath {
        segments = List.copyOf(segments);
        if (segments.isEmpty() || segments.size() > SEGMENTS_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "a field path has 1-" + SEGMENTS_MAX + " segments");
        }
        for (String s : segments) {
            if (s.isEmpty()) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "a field path has an empty segment");
            }
        }
    }

    public static FieldPath parse(String dotted) {
        if (dotted == null || dotted.isEmpty()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a field path is not empty");
        }
        return new FieldPath(List.of(dotted.split("\\.", -1)));
    }

    public static FieldPath of(String... segments) {
        return new FieldPath(List.of(segments));
    }

    public String first() {
        return segments.get(0);
    }

    @Override
    public String toString() {
        return String.join(".", segments);
    }
}
