package dev.nimbus.engine.commit;

import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.engine.query.QueryPlan;
import dev.nimbus.engine.query.QueryRunner;
import dev.nimbus.storage.KeyRange;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a transaction read: documents by id, index ranges and whole tables. A committed write
 * conflicts with it when it touched a read document, moved a key into or out of a read range,
 * or wrote a scanned table. Recording is conservative: the whole planned range counts even if
 * the query stopped early.
 */
public final class ReadSet implements QueryRunner.ReadRecorder {
    private record Point(TableName table, DocumentId id) {
    }

    private record Range(TableName table, String index, KeyRange range) {
    }

    private final Set<Point> points = new HashSet<>();
    private final List<Range> ranges = new ArrayList<>();
    private final Set<TableName> scans = new HashSet<>();

    public void document(TableName table, DocumentId id) {
        points.add(new Point(table, id));
    }

    @Override
    public void indexRange(TableName table, QueryPlan.IndexRange plan) {
        ranges.add(new Range(table, plan.index(), plan.range()));
    }

    @Override
    public void tableScan(TableName table) {
        scans.add(table);
    }

    public boolean isEmpty() {
        return points.isEmpty() && ranges.isEmpty() && scans.isEmpty();
    }

    public boolean conflictsWith(CommittedWrite w) {
        return conflictsWith(w.table(), w.id(), w.beforeKeys(), w.afterKeys());
    }

    /** {@link #conflictsWith(CommittedWrite)} for a write known by its table, id and index keys. */
    boolean conflictsWith(TableName table, DocumentId id, Map<String, byte[]> beforeKeys,
                          Map<String, byte[]> afterKeys) {
        if (scans.contains(table) || points.contains(new Point(table, id))) {
            return true;
        }
        for (Range r : ranges) {
            if (!r.table.equals(table)) {
                continue;
            }
            byte[] before = beforeKeys.get(r.index);
            byte[] after = afterKeys.get(r.index);
            if ((before != null && r.range.contains(before)) || (after != null && r.range.contains(after))) {
                return true;
            }
            if (before == null && after == null) {
                return true; // the index did not exist for this write: be conservative
            }
        }
        return false;
    }
}
