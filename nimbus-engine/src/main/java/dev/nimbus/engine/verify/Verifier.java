package dev.nimbus.engine.verify;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.engine.index.IndexKeys;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexPosition;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.KeyRange;
import dev.nimbus.storage.StoreReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks one tenant's snapshot: every document has exactly the index entries its table's
 * indexes imply, no index entry is orphaned or stale, the journal is contiguous, and replaying
 * the journal yields exactly the stored documents. Reads everything; meant for operators and
 * tests, not the request path.
 */
public final class Verifier {
    private static final int PAGE = 1000;
    private static final int PROBLEMS_MAX = 1000;

    private Verifier() {
    }

    private record Key(TableName table, DocumentId id) {
    }

    public static VerifyReport verify(StoreReader r) {
        List<String> problems = new ArrayList<>();
        long documents = 0;
        long entries = 0;
        Map<Key, Document> stored = new HashMap<>();
        for (TableName table : r.tables()) {
            List<Document> docs = allDocuments(r, table);
            documents += docs.size();
            docs.forEach(d -> stored.put(new Key(table, d.id()), d));
            Optional<TableSchema> schema = r.schema(table);
            for (TableSchema.IndexDefinition index : schema.map(TableSchema::indexes).orElse(List.of())) {
                Map<String, byte[]> expected = new HashMap<>();
                for (Document d : docs) {
                    expected.put(d.id().value(), IndexKeys.key(index, d.toObject()));
                }
                for (IndexHit hit : allEntries(r, table, index.name())) {
                    entries++;
                    byte[] want = expected.remove(hit.id().value());
                    if (want == null) {
                        add(problems, "index " + table + "." + index.name() + " has an entry for " + hit.id()
                                + " which is not a document (or has two entries)");
                    } else if (!java.util.Arrays.equals(want, hit.key())) {
                        add(problems, "index " + table + "." + index.name() + " has a stale key for " + hit.id()
                                + ": " + HexFormat.of().formatHex(hit.key()));
                    }
                }
                for (String missing : expected.keySet()) {
                    add(problems, "index " + table + "." + index.name() + " lacks the entry of document " + missing);
                }
            }
        }

        // Replay the journal.
        Map<Key, Optional<Document>> replayed = new HashMap<>();
        long records = 0;
        long expectedSequence = 1;
        long after = 0;
        while (true) {
            List<JournalRecord> page = r.readJournal(after, PAGE);
            for (JournalRecord rec : page) {
                records++;
                if (rec.sequence() != expectedSequence) {
                    add(problems, "journal jumps from " + (expectedSequence - 1) + " to " + rec.sequence());
                }
                expectedSequence = rec.sequence() + 1;
                for (JournalRecord.Write w : rec.writes()) {
                    replayed.put(new Key(w.table(), w.id()), w.after());
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).sequence();
        }
        if (records != r.lastSequence()) {
            add(problems, "journal holds " + records + " records but its head is " + r.lastSequence());
        }
        for (Map.Entry<Key, Document> e : stored.entrySet()) {
            Optional<Document> j = replayed.getOrDefault(e.getKey(), Optional.empty());
            if (j.isEmpty()) {
                add(problems, "document " + e.getKey().table() + "/" + e.getKey().id() + " is not accounted for by the journal");
            } else if (!j.get().equals(e.getValue())) {
                add(problems, "document " + e.getKey().table() + "/" + e.getKey().id() + " differs from its last journal record");
            }
        }
        for (Map.Entry<Key, Optional<Document>> e : replayed.entrySet()) {
            if (e.getValue().isPresent() && !stored.containsKey(e.getKey())) {
                add(problems, "document " + e.getKey().table() + "/" + e.getKey().id() + " is in the journal but missing");
            }
        }
        return new VerifyReport(documents, entries, records, problems);
    }

    private static void add(List<String> problems, String p) {
        if (problems.size() < PROBLEMS_MAX) {
            problems.add(p);
        }
    }

    private static List<Document> allDocuments(StoreReader r, TableName table) {
        List<Document> out = new ArrayList<>();
        Optional<DocumentId> after = Optional.empty();
        while (true) {
            List<Document> page = r.scanDocuments(table, new DocumentScan(after, false, PAGE));
            out.addAll(page);
            if (page.size() < PAGE) {
                return out;
            }
            after = Optional.of(page.get(page.size() - 1).id());
        }
    }

    private static List<IndexHit> allEntries(StoreReader r, TableName table, String index) {
        List<IndexHit> out = new ArrayList<>();
        Optional<IndexPosition> after = Optional.empty();
        while (true) {
            List<IndexHit> page = r.scanIndex(table, index, new IndexScan(KeyRange.ALL, false, PAGE, after, false));
            out.addAll(page);
            if (page.size() < PAGE) {
                return out;
            }
            after = Optional.of(page.get(page.size() - 1).position());
        }
    }
}
