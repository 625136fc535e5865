package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory HostBridge: enough of a store to exercise the runtime without an engine. */
final class FakeBridge implements HostBridge {
    final Map<String, Map<String, Value.Obj>> tables = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    FunctionRuntime runtime;
    Invocation current;

    @Override
    public Optional<Value.Obj> get(Optional<String> table, String id) {
        calls.add("get");
        for (Map.Entry<String, Map<String, Value.Obj>> t : tables.entrySet()) {
            if (table.isEmpty() || table.get().equals(t.getKey())) {
                Value.Obj d = t.getValue().get(id);
                if (d != null) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public List<String> indexFields(String table, String index) {
        if (index.equals("by_author")) {
            return List.of("author");
        }
        throw new NimbusException(ErrorCode.MISSING_INDEX, "no index " + index);
    }

    @Override
    public List<Value.Obj> query(Query query) {
        calls.add("query");
        List<Value.Obj> out = new ArrayList<>();
        for (Value.Obj d : tables.getOrDefault(query.table().value(), Map.of()).values()) {
            if (matches(query.filter(), d)) {
                out.add(d);
            }
        }
        if (!query.order().isEmpty() && query.order().get(0).direction() == Query.Direction.DESC) {
            java.util.Collections.reverse(out);
        }
        int limit = query.limit().orElse(Integer.MAX_VALUE);
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    private static boolean matches(Filter f, Value.Obj d) {
        return switch (f) {
            case Filter.All a -> true;
            case Filter.And and -> and.operands().stream().allMatch(x -> matches(x, d));
            case Filter.Compare c when c.op() == Filter.Op.EQ -> c.value().equals(d.get(c.path().segments().get(0)));
            default -> throw new UnsupportedOperationException(f.toString());
        };
    }

    @Override
    public Page paginate(Query query, int numItems, Optional<String> cursor) {
        List<Value.Obj> all = query(query);
        int from = cursor.map(Integer::parseInt).orElse(0);
        int to = Math.min(all.size(), from + numItems);
        return new Page(all.subList(from, to), Optional.of(Integer.toString(to)), to >= all.size());
    }

    @Override
    public String insert(String table, Value.Obj fields) {
        calls.add("insert");
        if (fields.get("bad") != null) {
            throw new NimbusException(ErrorCode.SCHEMA_VALIDATION, "field bad is not allowed");
        }
        String id = "id" + ids.incrementAndGet();
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("_id", Value.of(id));
        m.put("_creationTime", Value.of(ids.get()));
        m.putAll(fields.fields());
        tables.computeIfAbsent(table, t -> new LinkedHashMap<>()).put(id, new Value.Obj(m));
        return id;
    }

    @Override
    public void patch(Optional<String> table, String id, Value.Obj fields, List<String> unset) {
        calls.add("patch");
        String t = table.orElseGet(() -> tableOf(id));
        Map<String, Value> m = new LinkedHashMap<>(tables.get(t).get(id).fields());
        unset.forEach(m::remove);
        m.putAll(fields.fields());
        tables.get(t).put(id, new Value.Obj(m));
    }

    @Override
    public void replace(Optional<String> table, String id, Value.Obj fields) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void delete(Optional<String> table, String id) {
        calls.add("delete");
        tables.get(table.orElseGet(() -> tableOf(id))).remove(id);
    }

    private String tableOf(String id) {
        return tables.entrySet().stream().filter(e -> e.getValue().containsKey(id)).findFirst()
                .orElseThrow(() -> new NimbusException(ErrorCode.DOCUMENT_NOT_FOUND, "no document " + id)).getKey();
    }

    @Override
    public String runAfter(long delayMillis, String name, Value args) {
        calls.add("runAfter " + delayMillis + " " + name);
        return "job1";
    }

    @Override
    public String runAt(long timestampMillis, String name, Value args) {
        calls.add("runAt " + name);
        return "job2";
    }

    @Override
    public void cancel(String jobId) {
        calls.add("cancel " + jobId);
    }

    @Override
    public Optional<Value.Obj> userIdentity() {
        return Optional.of(new Value.Obj(Map.of("subject", Value.of("alice"))));
    }

    @Override
    public Value run(FunctionKind kind, String name, Value args) {
        calls.add("run " + kind.wireName() + " " + name);
        return runtime.invoke(current.nested(name, kind, args), this).value();
    }

    @Override
    public FetchResponse fetch(String url, String method, Map<String, String> headers, Optional<String> body) {
        calls.add("fetch " + method + " " + url);
        return new FetchResponse(200, Map.of("content-type", "application/json"), "{\"pong\":true}");
    }

    @Override
    public Optional<String> environmentVariable(String name) {
        return name.equals("GREETING") ? Optional.of("hello") : Optional.empty();
    }
}
