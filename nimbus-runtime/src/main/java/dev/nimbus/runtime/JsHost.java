package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.graalvm.polyglot.HostAccess;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Java object a context's JavaScript calls ({@code __nimbusHost.call(op, json)}): decodes an
 * operation, checks the invocation's kind allows it, and forwards it to the invocation's
 * {@link HostBridge}. Bound to one invocation at a time ({@link #bind}); between invocations it has
 * no bridge, so nothing reaches any tenant. Host errors go back to JavaScript as
 * {@code {"error":{code,message,id}}}; if the function does not catch one, the runtime rethrows the
 * original exception, so a function's caller sees exactly the engine's error.
 */
public final class JsHost {
    private final RuntimeLimits limits;
    private HostBridge bridge;
    private FunctionKind kind;
    private final List<NimbusException> errors = new ArrayList<>();
    private final List<String> logs = new ArrayList<>();
    private int logBytes;
    private int logsDropped;

    JsHost(RuntimeLimits limits) {
        this.limits = limits;
    }

    void bind(HostBridge bridge, FunctionKind kind) {
        this.bridge = bridge;
        this.kind = kind;
        errors.clear();
        logs.clear();
        logBytes = 0;
        logsDropped = 0;
    }

    void unbind() {
        bridge = null;
        kind = null;
    }

    NimbusException error(int id) {
        return id >= 0 && id < errors.size() ? errors.get(id) : null;
    }

    List<String> logs() {
        return List.copyOf(logs);
    }

    int logsDropped() {
        return logsDropped;
    }

    @HostAccess.Export
    public void log(String level, String line) {
        String entry = level + ": " + line;
        if (logs.size() >= limits.logLinesMax() || logBytes + entry.length() > limits.logBytesMax()) {
            logsDropped++;
            return;
        }
        logs.add(entry);
        logBytes += entry.length();
    }

    @HostAccess.Export
    public String call(String op, String payloadJson) {
        try {
            if (bridge == null) {
                throw new NimbusException(ErrorCode.INTERNAL, "no invocation is running in this context");
            }
            Value payload = ValueJson.read(payloadJson);
            Value result = dispatch(op, payload instanceof Value.Obj o ? o : Value.Obj.EMPTY);
            if (result instanceof Value.Str s) {
                String reply = PlainJsonStrings.okReply(s.value());
                if (reply != null) {
                    return reply;
                }
            }
            return "{\"ok\":" + ValueJson.write(result) + "}";
        } catch (NimbusException e) {
            errors.add(e);
            return errorJson(e.code().wireName(), e.getMessage(), errors.size() - 1);
        } catch (RuntimeException e) {
            NimbusException wrapped = new NimbusException(ErrorCode.INTERNAL, "host call " + op + " failed: " + e,
                    Value.Obj.EMPTY, e);
            errors.add(wrapped);
            return errorJson(wrapped.code().wireName(), wrapped.getMessage(), errors.size() - 1);
        }
    }

    private static String errorJson(String code, String message, int id) {
        return "{\"error\":" + ValueJson.write(new Value.Obj(Map.of("code", Value.of(code),
                "message", Value.of(message == null ? code : message), "id", Value.of((long) id)))) + "}";
    }

    private Value dispatch(String op, Value.Obj p) {
        return switch (op) {
            case "db_get" -> {
                requireDb(false);
                yield bridge.get(optionalString(p, "table"), string(p, "id")).map(v -> (Value) v).orElse(Value.nullValue());
            }
            case "db_query" -> {
                requireDb(false);
                yield Value.array(bridge.query(QuerySpec.toQuery(p, bridge::indexFields)));
            }
            case "db_paginate" -> {
                requireDb(false);
                long numItems = p.get("numItems") instanceof Value.Int64 n ? n.value() : -1;
                if (numItems <= 0 || numItems > QuerySpec.TAKE_MAX) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT, "paginate needs {numItems} between 1 and "
                            + QuerySpec.TAKE_MAX);
                }
                HostBridge.Page page = bridge.paginate(QuerySpec.toQuery(p, bridge::indexFields), (int) numItems,
                        optionalString(p, "cursor"));
                Map<String, Value> m = new LinkedHashMap<>();
                m.put("page", Value.array(page.page()));
                m.put("isDone", Value.of(page.isDone()));
                m.put("continueCursor", page.continueCursor().map(c -> (Value) Value.of(c)).orElse(Value.of("")));
                yield new Value.Obj(m);
            }
            case "db_insert" -> {
                requireDb(true);
                yield Value.of(bridge.insert(string(p, "table"), object(p, "doc")));
            }
            case "db_patch" -> {
                requireDb(true);
                List<String> unset = new ArrayList<>();
                if (p.get("unset") instanceof Value.Array a) {
                    a.elements().forEach(v -> unset.add(((Value.Str) v).value()));
                }
                bridge.patch(optionalString(p, "table"), string(p, "id"), object(p, "doc"), unset);
                yield Value.nullValue();
            }
            case "db_replace" -> {
                requireDb(true);
                bridge.replace(optionalString(p, "table"), string(p, "id"), object(p, "doc"));
                yield Value.nullValue();
            }
            case "db_delete" -> {
                requireDb(true);
                bridge.delete(optionalString(p, "table"), string(p, "id"));
                yield Value.nullValue();
            }
            case "scheduler_run_after" -> {
                requireScheduler();
                yield Value.of(bridge.runAfter(number(p, "delayMs"), string(p, "name"), arg(p)));
            }
            case "scheduler_run_at" -> {
                requireScheduler();
                yield Value.of(bridge.runAt(number(p, "at"), string(p, "name"), arg(p)));
            }
            case "scheduler_cancel" -> {
                requireScheduler();
                bridge.cancel(string(p, "id"));
                yield Value.nullValue();
            }
            case "auth_identity" -> bridge.userIdentity().map(v -> (Value) v).orElse(Value.nullValue());
            case "run" -> {
                requireAction("ctx.runQuery, ctx.runMutation and ctx.runAction");
                yield bridge.run(FunctionKind.fromWireName(string(p, "kind")), string(p, "name"), arg(p));
            }
            case "fetch" -> {
                requireAction("fetch");
                Map<String, String> headers = new LinkedHashMap<>();
                if (p.get("headers") instanceof Value.Obj h) {
                    h.fields().forEach((k, v) -> headers.put(k, v instanceof Value.Str s ? s.value() : v.toString()));
                }
                HostBridge.FetchResponse r = bridge.fetch(string(p, "url"), string(p, "method"), headers,
                        optionalString(p, "body"));
                Map<String, Value> rh = new LinkedHashMap<>();
                r.headers().forEach((k, v) -> rh.put(k, Value.of(v)));
                yield new Value.Obj(Map.of("status", Value.of((long) r.status()), "headers", new Value.Obj(rh),
                        "body", Value.of(r.body())));
            }
            case "env" -> {
                requireAction("environment variables");
                yield bridge.environmentVariable(string(p, "name")).map(v -> (Value) Value.of(v)).orElse(Value.nullValue());
            }
            default -> throw new NimbusException(ErrorCode.INVALID_INPUT, "unknown host operation " + op);
        };
    }

    private void requireDb(boolean write) {
        if (kind == FunctionKind.ACTION || kind == FunctionKind.HTTP_ACTION) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "actions have no ctx.db; use ctx.runQuery or ctx.runMutation");
        }
        if (write && kind == FunctionKind.QUERY) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "queries are read-only; write from a mutation");
        }
    }

    private void requireScheduler() {
        if (kind == FunctionKind.QUERY) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "queries cannot schedule functions");
        }
    }

    private void requireAction(String what) {
        if (kind != FunctionKind.ACTION && kind != FunctionKind.HTTP_ACTION) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, what + " are only available in actions");
        }
    }

    private static Value arg(Value.Obj p) {
        Value v = p.get("args");
        return v == null ? Value.Obj.EMPTY : v;
    }

    private static String string(Value.Obj p, String key) {
        if (p.get(key) instanceof Value.Str s) {
            return s.value();
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, "'" + key + "' must be a string");
    }

    private static Optional<String> optionalString(Value.Obj p, String key) {
        Value v = p.get(key);
        if (v == null || v instanceof Value.Null) {
            return Optional.empty();
        }
        return Optional.of(string(p, key));
    }

    private static Value.Obj object(Value.Obj p, String key) {
        if (p.get(key) instanceof Value.Obj o) {
            return o;
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, "'" + key + "' must be an object");
    }

    private static long number(Value.Obj p, String key) {
        return switch (p.get(key)) {
            case Value.Int64 i -> i.value();
            case Value.Float64 f when !Double.isNaN(f.value()) -> (long) f.value();
            case null, default -> throw new NimbusException(ErrorCode.INVALID_INPUT, "'" + key + "' must be a number");
        };
    }
}
