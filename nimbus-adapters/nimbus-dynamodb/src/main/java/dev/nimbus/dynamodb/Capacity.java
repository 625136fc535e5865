package dev.nimbus.dynamodb;

import dev.nimbus.core.value.Value;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * ConsumedCapacity as DynamoDB computes it for on-demand tables: a read is one unit per 4 KB
 * (half for eventually consistent reads), a write one unit per 1 KB of the larger of the old and
 * new item. Nimbus has no provisioned capacity; this is reported, never enforced.
 */
final class Capacity {
    static final long READ_UNIT_BYTES = 4096;
    static final long WRITE_UNIT_BYTES = 1024;

    private Capacity() {
    }

    static double read(long bytes, boolean consistent) {
        long units = Math.max(1, (bytes + READ_UNIT_BYTES - 1) / READ_UNIT_BYTES);
        return consistent ? units : units / 2.0;
    }

    static double write(ItemOperations.Written w) {
        long bytes = Math.max(w.before().map(AttributeCodec::itemSize).orElse(0L),
                w.after().map(AttributeCodec::itemSize).orElse(0L));
        return Math.max(1, (bytes + WRITE_UNIT_BYTES - 1) / WRITE_UNIT_BYTES);
    }

    /** Write units per GSI the write touched (an item holding the index key before or after). */
    static Map<String, Double> indexWrites(TableDefinition t, ItemOperations.Written w) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (TableDefinition.SecondaryIndex i : t.indexes()) {
            boolean touched = i.global() && (hasKeys(i, w.before()) || hasKeys(i, w.after()));
            if (touched) {
                out.put(i.name(), 1.0);
            }
        }
        return out;
    }

    private static boolean hasKeys(TableDefinition.SecondaryIndex i, Optional<Map<String, Value>> item) {
        return item.isPresent() && i.key().names().stream().allMatch(item.get()::containsKey);
    }

    /** Adds ConsumedCapacity in the requested shape (TOTAL or INDEXES); nothing for NONE. */
    static void put(Map<String, Object> out, String mode, String table, double tableUnits, Map<String, Double> indexes) {
        if (mode.equals("NONE")) {
            return;
        }
        out.put("ConsumedCapacity", consumed(mode, table, tableUnits, indexes));
    }

    static Map<String, Object> consumed(String mode, String table, double tableUnits, Map<String, Double> indexes) {
        Map<String, Object> cc = new LinkedHashMap<>();
        double total = tableUnits + indexes.values().stream().mapToDouble(Double::doubleValue).sum();
        cc.put("TableName", table);
        cc.put("CapacityUnits", total);
        if (mode.equals("INDEXES")) {
            cc.put("Table", Map.of("CapacityUnits", tableUnits));
            if (!indexes.isEmpty()) {
                Map<String, Object> g = new LinkedHashMap<>();
                indexes.forEach((k, v) -> g.put(k, Map.of("CapacityUnits", v)));
                cc.put("GlobalSecondaryIndexes", g);
            }
        }
        return cc;
    }
}
