package dev.nimbus.storage.format;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.storage.JournalRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Encodes journal records as canonical JSON (layout in docs/storage-format.md) and computes the
 * SHA-256 stored beside each record. Decoding verifies the digest and the version.
 */
public final class JournalCodec {
    private JournalCodec() {
    }

    /** An encoded record and the SHA-256 of exactly these bytes. */
    public record Encoded(byte[] bytes, byte[] sha256) {
    }

    public static Encoded encode(JournalRecord record) {
        return encode(record, d -> DocumentCodec.encodeBody(d.fields()));
    }

    /**
     * Encodes with {@code bodies} supplying each document's already-encoded body, so a provider
     * that just encoded a document for its row does not encode it again.
     */
    public static Encoded encode(JournalRecord record, Function<Document, String> bodies) {
        // Written by hand rather than through a JSON generator: it runs once per mutation on the
        // tenant's writer. Table names, ids, ops and numbers need no escaping (their alphabets
        // have no quotes, backslashes or control characters); bodies are canonical JSON already;
        // the execution id, free text, goes through ValueJson.
        StringBuilder out = new StringBuilder(128 + 320 * record.writes().size());
        out.append("{\"version\":").append(JournalRecord.VERSION)
                .append(",\"sequence\":").append(record.sequence())
                .append(",\"timestamp\":").append(record.timestampMicros())
                .append(",\"scheduled_execution_id\":");
        if (record.scheduledExecutionId().isPresent()) {
            out.append(ValueJson.write(dev.nimbus.core.value.Value.of(record.scheduledExecutionId().get())));
        } else {
            out.append("null");
        }
        out.append(",\"writes\":[");
        boolean first = true;
        for (JournalRecord.Write w : record.writes()) {
            out.append(first ? "{" : ",{");
            first = false;
            out.append("\"table\":\"").append(w.table().value())
                    .append("\",\"id\":\"").append(w.id().value())
                    .append("\",\"op\":\"").append(OPS[w.op().ordinal()]).append('"');
            if (w.after().isPresent()) {
                Document d = w.after().get();
                out.append(",\"created\":").append(d.creationTimeMicros())
                        .append(",\"updated\":").append(d.updateTimeMicros())
                        .append(",\"fields\":").append(bodies.apply(d));
            }
            out.append('}');
        }
        out.append("]}");
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        return new Encoded(bytes, sha256(bytes));
    }

    private static final String[] OPS = {"insert", "update", "delete"};

    public static JournalRecord decode(byte[] bytes, byte[] expectedSha256) {
        if (!MessageDigest.isEqual(sha256(bytes), expectedSha256)) {
            throw corrupt("journal record fails its SHA-256 integrity check");
        }
        try {
            Value.Obj o = (Value.Obj) ValueJson.read(bytes);
            long version = ((Value.Int64) o.get("version")).value();
            if (version != JournalRecord.VERSION) {
                throw corrupt("journal record version " + version + " is not supported");
            }
            long sequence = ((Value.Int64) o.get("sequence")).value();
            long timestamp = ((Value.Int64) o.get("timestamp")).value();
            Optional<String> exec = o.get("scheduled_execution_id") instanceof Value.Str s
                    ? Optional.of(s.value()) : Optional.empty();
            List<JournalRecord.Write> writes = new ArrayList<>();
            for (Value wv : ((Value.Array) o.get("writes")).elements()) {
                Value.Obj w = (Value.Obj) wv;
                TableName table = new TableName(((Value.Str) w.get("table")).value());
                DocumentId id = new DocumentId(((Value.Str) w.get("id")).value());
                JournalRecord.Op op = JournalRecord.Op.valueOf(
                        ((Value.Str) w.get("op")).value().toUpperCase(Locale.ROOT));
                Optional<Document> after = Optional.empty();
                if (w.get("fields") != null) {
                    after = Optional.of(new Document(id, ((Value.Int64) w.get("created")).value(),
                            ((Value.Int64) w.get("updated")).value(), (Value.Obj) w.get("fields")));
                }
                writes.add(new JournalRecord.Write(table, id, op, after));
            }
            return new JournalRecord(sequence, timestamp, writes, exec);
        } catch (NimbusException e) {
            if (e.code() == ErrorCode.STORAGE_CORRUPTION) {
                throw e;
            }
            throw corrupt("journal record does not decode: " + e.getMessage());
        } catch (RuntimeException e) {
            throw corrupt("journal record does not decode: " + e);
        }
    }

    // MessageDigest.getInstance looks up providers on every call; one digest per thread is reused.
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    public static byte[] sha256(byte[] bytes) {
        return SHA256.get().digest(bytes); // digest() resets it for the next use
    }

    private static NimbusException corrupt(String message) {
        return new NimbusException(ErrorCode.STORAGE_CORRUPTION, message);
    }
}
