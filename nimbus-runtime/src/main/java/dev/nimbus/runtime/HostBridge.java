package dev.nimbus.runtime;

import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a function can do beyond computing: the runtime's only window onto Nimbus. The
 * server implements it by calling the same engine methods an HTTP request would, so a write from
 * a function gets the same validation, authorization, journal record and fan-out as any other.
 *
 * <p>One bridge serves one invocation and is bound to that invocation's tenant and principal
 * before any JavaScript runs; it can reach that tenant only. Methods throw
 * {@link dev.nimbus.core.error.NimbusException}; the runtime rethrows them into JavaScript as
 * errors carrying the code. Documents are objects with their system fields ({@code _id},
 * {@code _creationTime}) and ids are strings.
 */
public interface HostBridge {

    /** A page of a query: {@code cursor} continues it, {@code isDone} when nothing follows. */
    record Page(List<Value.Obj> page, Optional<String> continueCursor, boolean isDone) {
    }

    /** What {@code fetch} returns to an action. */
    record FetchResponse(int status, Map<String, String> headers, String body) {
    }

    // ---- ctx.db (queries and mutations) ----------------------------------------------------

    /**
     * A document by id. {@code table} empty (Convex's {@code db.get(id)}): the bridge finds the
     * table holding the id. The same holds for patch, replace and delete.
     */
    Optional<Value.Obj> get(Optional<String> table, String id);

    /** The fields of a declared index, for ordering {@code withIndex} queries; not found is an error. */
    List<String> indexFields(String table, String index);

    /** The whole result of a query (its limit, if any, applies). */
    List<Value.Obj> query(Query query);

    Page paginate(Query query, int numItems, Optional<String> cursor);

    /** Inserts a document; returns its id. Mutations only. */
    String insert(String table, Value.Obj fields);

    /** Shallow-merges {@code fields} into the document; a field set to null is removed. */
    void patch(Optional<String> table, String id, Value.Obj fields, List<String> unset);

    void replace(Optional<String> table, String id, Value.Obj fields);

    void delete(Optional<String> table, String id);

    // ---- ctx.scheduler (mutations and actions) ---------------------------------------------

    /** Schedules function {@code name} to run after {@code delayMillis}; returns the job id. */
    String runAfter(long delayMillis, String name, Value args);

    String runAt(long timestampMillis, String name, Value args);

    void cancel(String jobId);

    // ---- ctx.auth --------------------------------------------------------------------------

    /** The caller's identity claims, or empty for an anonymous caller. */
    Optional<Value.Obj> userIdentity();

    // ---- ctx.runQuery / runMutation / runAction ---------------------------------------------

    /** Runs another function of the same deployment (internal ones included) and returns its result. */
    Value run(FunctionKind kind, String name, Value args);

    // ---- actions only ----------------------------------------------------------------------

    FetchResponse fetch(String url, String method, Map<String, String> headers, Optional<String> body);

    Optional<String> environmentVariable(String name);
}
