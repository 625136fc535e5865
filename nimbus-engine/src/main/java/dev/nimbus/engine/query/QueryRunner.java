package dev.nimbus.engine.query;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.engine.index.IndexKeys;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexPosition;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.StoreReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Runs a planned query against one consistent view (a snapshot or the writer's transaction):
 * reads what the plan says, re-applies the filter and the read policy, orders, and cuts a page.
 *
 * <p>The <em>effective order</em> is the query's order followed by {@code _id} in the direction
 * of the first key; without an order it is the chosen index's fields then {@code _id}, or
 * {@code _id} alone for a table scan. It is total, so a cursor (the sort values and id of the
 * last row returned) resumes exactly after that row whatever was written in between.
 */
public final class QueryRunner {
    private static final int SCAN_CHUNK = 256;

    /** What a run read, for optimistic concurrency checks. */
    public interface ReadRecorder {
        ReadRecorder NONE = new ReadRecorder() {
            @Override
            public void indexRange(TableName table, QueryPlan.IndexRange plan) {
            }

            @Override
            public void tableScan(TableName table) {
            }
        };

        void indexRange(TableName table, QueryPlan.IndexRange plan);

        void tableScan(TableName table);
    }

    /** One page of results. */
    public record Page(List<Document> documents, Optional<String> nextCursor, boolean hasMore) {
    }

    private QueryRunner() {
    }

    /**
     * @param pageSize       rows wanted (the query's limit, or a page size); -1 for no limit
     * @param after          an opaque cursor from an earlier page of the same query
     * @param docsScannedMax rows read beyond which the query fails with {@code op.cap_exceeded}
     */
    public static Page run(StoreReader reader, Query query, QueryPlan plan, Predicate<Document> visible,
                           int pageSize, Optional<String> after, ReadRecorder recorder, int docsScannedMax) {
        List<Query.SortKey> order = effectiveOrder(query, plan);
        Comparator<Row> comparator = comparator(order);
        Optional<Row> cursor = after.map(c -> decodeCursor(c, order.size()));
        int want = pageSize < 0 ? Integer.MAX_VALUE : pageSize;
        long need = want == Integer.MAX_VALUE ? Long.MAX_VALUE : (long) want + 1;
        List<Row> rows = new ArrayList<>();
        int scanned = 0;

        if (plan instanceof QueryPlan.IndexRange ir) {
            recorder.indexRange(query.table(), ir);
            Optional<IndexPosition> position = Optional.empty();
            if (cursor.isPresent() && query.order().isEmpty()) {
                // Effective order is the index order: the cursor is an index position.
                // The sort values end with the id tie-break; the index key is the fields before it.
                List<Optional<Value>> keyValues = cursor.get().sortValues.subList(0, ir.fields().size());
                position = Optional.of(new IndexPosition(IndexKeys.tuple(keyValues), cursor.get().id));
            }
            while (true) {
                List<IndexHit> hits = reader.scanIndex(query.table(), ir.index(),
                        new IndexScan(ir.range(), ir.descending(), SCAN_CHUNK, position, true));
                for (IndexHit hit : hits) {
                    scanned = checkScanned(scanned, docsScannedMax);
                    hit.document().ifPresent(d -> consider(d, query, order, visible, cursor, comparator, rows));
                }
                if (hits.size() < SCAN_CHUNK || (plan.providesOrder() && rows.size() >= need)) {
                    break;
                }
                position = Optional.of(hits.get(hits.size() - 1).position());
            }
        } else {
            QueryPlan.TableScan ts = (QueryPlan.TableScan) plan;
            recorder.tableScan(query.table());
            Optional<DocumentId> position = Optional.empty();
            if (cursor.isPresent() && plan.providesOrder()) {
                position = Optional.of(cursor.get().id);
            }
            while (true) {
                List<Document> docs = reader.scanDocuments(query.table(), new DocumentScan(position, ts.descending(), SCAN_CHUNK));
                for (Document d : docs) {
                    scanned = checkScanned(scanned, docsScannedMax);
                    consider(d, query, order, visible, cursor, comparator, rows);
                }
                if (docs.size() < SCAN_CHUNK || (plan.providesOrder() && rows.size() >= need)) {
                    break;
                }
                position = Optional.of(docs.get(docs.size() - 1).id());
            }
        }
        if (!plan.providesOrder()) {
            rows.sort(comparator);
        }
        boolean hasMore = rows.size() > want;
        List<Row> page = hasMore ? rows.subList(0, want) : rows;
        List<Document> out = new ArrayList<>(page.size());
        for (Row r : page) {
            out.add(r.doc);
        }
        Optional<String> next = hasMore && !page.isEmpty()
                ? Optional.of(encodeCursor(page.get(page.size() - 1))) : Optional.empty();
        return new Page(out, next, hasMore);
    }

    private static int checkScanned(int scanned, int max) {
        if (scanned >= max) {
            throw new NimbusException(ErrorCode.CAP_EXCEEDED, "query read more than " + max
                    + " documents; add an index for its filter or order, or narrow it", Map.of(
                    "cap", Value.of("docs_scanned"), "limit", Value.of((long) max),
                    "retryability", Value.of("terminal")));
        }
        return scanned + 1;
    }

    private static void consider(Document d, Query query, List<Query.SortKey> order, Predicate<Document> visible,
                                 Optional<Row> cursor, Comparator<Row> comparator, List<Row> rows) {
        Value.Obj view = d.toObject();
        if (!FilterEvaluator.matches(query.filter(), view) || !visible.test(d)) {
            return;
        }
        Row row = new Row(d, d.id(), sortValues(view, order));
        if (cursor.isPresent() && comparator.compare(row, cursor.get()) <= 0) {
            return;
        }
        rows.add(row);
    }

    /** Orders documents by the query's effective order under {@code plan}. */
    public static List<Document> order(Query query, QueryPlan plan, List<Document> documents) {
        List<Query.SortKey> order = effectiveOrder(query, plan);
        List<Row> rows = new ArrayList<>(documents.size());
        for (Document d : documents) {
            rows.add(new Row(d, d.id(), sortValues(d.toObject(), order)));
        }
        rows.sort(comparator(order));
        List<Document> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(r.doc));
        return out;
    }

    /** The query's order plus the id tie-break, or the plan's natural order. */
    public static List<Query.SortKey> effectiveOrder(Query query, QueryPlan plan) {
        List<Query.SortKey> keys = new ArrayList<>();
        if (!query.order().isEmpty()) {
            keys.addAll(query.order());
        } else if (plan instanceof QueryPlan.IndexRange ir) {
            for (FieldPath f : ir.fields()) {
                keys.add(new Query.SortKey(f, Query.Direction.ASC));
            }
        }
        FieldPath id = FieldPath.of(Document.ID);
        if (keys.isEmpty() || !keys.get(keys.size() - 1).path().equals(id)) {
            Query.Direction direction = keys.isEmpty() ? Query.Direction.ASC : keys.get(0).direction();
            keys.add(new Query.SortKey(id, direction));
        }
        return keys;
    }

    private record Row(Document doc, DocumentId id, List<Optional<Value>> sortValues) {
    }

    private static List<Optional<Value>> sortValues(Value.Obj view, List<Query.SortKey> order) {
        List<Optional<Value>> out = new ArrayList<>(order.size());
        for (Query.SortKey k : order) {
            out.add(FilterEvaluator.resolve(view, k.path()));
        }
        return out;
    }

    private static Comparator<Row> comparator(List<Query.SortKey> order) {
        return (a, b) -> {
            for (int i = 0; i < order.size(); i++) {
                int c = FilterEvaluator.compareForSort(a.sortValues.get(i), b.sortValues.get(i));
                if (c != 0) {
                    return order.get(i).direction() == Query.Direction.DESC ? -c : c;
                }
            }
            return 0;
        };
    }

    // ---- cursors: base64url of [[v] | [] per sort key, id] in canonical JSON ------------------

    private static String encodeCursor(Row row) {
        List<Value> keys = new ArrayList<>();
        for (Optional<Value> v : row.sortValues) {
            keys.add(v.map(Value::array).orElse(Value.array()));
        }
        Value payload = Value.array(Value.array(keys), Value.of(row.id.value()));
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(ValueJson.write(payload).getBytes(StandardCharsets.UTF_8));
    }

    private static Row decodeCursor(String cursor, int keys) {
        try {
            String json = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            Value.Array payload = (Value.Array) ValueJson.read(json);
            Value.Array values = (Value.Array) payload.elements().get(0);
            DocumentId id = DocumentId.parse(((Value.Str) payload.elements().get(1)).value());
            if (values.elements().size() != keys) {
                throw new IllegalArgumentException("cursor has the wrong number of keys");
            }
            List<Optional<Value>> sortValues = new ArrayList<>();
            for (Value v : values.elements()) {
                List<Value> one = ((Value.Array) v).elements();
                sortValues.add(one.isEmpty() ? Optional.empty() : Optional.of(one.get(0)));
            }
            return new Row(null, id, sortValues);
        } catch (RuntimeException e) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "invalid cursor: pass the next_cursor of an earlier page of the same query");
        }
    }
}
