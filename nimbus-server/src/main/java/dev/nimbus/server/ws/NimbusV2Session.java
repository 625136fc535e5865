package dev.nimbus.server.ws;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.subscription.Subscription;
import dev.nimbus.engine.subscription.SubscriptionUpdate;
import dev.nimbus.server.api.QueryJson;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code nimbus.v2} connection after the upgrade: the hello handshake (the client must send
 * {@code client_hello} within the timeout, else {@code fatal_error} and close 1008), then
 * subscribe / unsubscribe. Subscription results are written by one ordered writer per
 * connection (a virtual thread), always the full current result, newest first to win.
 */
public final class NimbusV2Session extends SimpleChannelInboundHandler<WebSocketFrame> {
    public static final String PROTOCOL = "nimbus.v2";
    /** Live subscriptions one connection may hold. */
    public static final int SUBSCRIPTIONS_PER_CONNECTION_MAX = 1024;

    private final Engine engine;
    private final TenantId tenant;
    private final long helloTimeoutMillis;
    private final String sessionId;
    private final Map<Long, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<Long, String> firstRequestIds = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Long> ready = new LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean helloDone;
    private ScheduledFuture<?> helloTimer;
    private Thread writer;
    private ChannelHandlerContext ctx;

    private final NamedQueries namedQueries;
    /** Live query functions of this connection and their newest undelivered result. */
    private final Map<Long, AutoCloseable> named = new ConcurrentHashMap<>();
    private final Map<Long, Value> namedResults = new ConcurrentHashMap<>();

    public NimbusV2Session(Engine engine, TenantId tenant, long helloTimeoutMillis, String sessionId) {
        this(engine, tenant, helloTimeoutMillis, sessionId, null);
    }

    public NimbusV2Session(Engine engine, TenantId tenant, long helloTimeoutMillis, String sessionId,
                           NamedQueries namedQueries) {
        this.namedQueries = namedQueries;
        this.engine = engine;
        this.tenant = tenant;
        this.helloTimeoutMillis = helloTimeoutMillis;
        this.sessionId = sessionId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Called once the upgrade response is written: say hello and start the clock. */
    public void start() {
        Map<String, Value> hello = new LinkedHashMap<>();
        hello.put("type", Value.of("hello"));
        hello.put("protocol", Value.of(PROTOCOL));
        hello.put("server", new Value.Obj(Map.of("version", Value.of("0.1.0"), "build", Value.of("jvm"))));
        hello.put("features", Value.array(Value.of("queries.v1"), Value.of("subscriptions.v1")));
        hello.put("session", new Value.Obj(Map.of("id", Value.of(sessionId),
                "serverNow", Value.of(System.currentTimeMillis()))));
        send(new Value.Obj(hello));
        helloTimer = ctx.executor().schedule(() -> {
            if (!helloDone) {
                fatal("protocol.hello_timeout", "no client_hello within " + helloTimeoutMillis + " ms",
                        new Value.Obj(Map.of("timeoutMs", Value.of(helloTimeoutMillis))));
            }
        }, helloTimeoutMillis, TimeUnit.MILLISECONDS);
        writer = Thread.ofVirtual().name("nimbus-ws-" + sessionId).start(this::writeResults);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        switch (frame) {
            case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            case CloseWebSocketFrame close -> ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
            case BinaryWebSocketFrame b -> {
                if (!helloDone) {
                    fatal("protocol.unsupported_binary", "binary frames are not part of nimbus.v2", null);
                }
            }
            case TextWebSocketFrame text -> onText(text.text());
            default -> { }
        }
    }

    private void onText(String text) {
        Value.Obj message;
        try {
            if (!(ValueJson.read(text) instanceof Value.Obj o)) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "a message is a JSON object");
            }
            message = o;
        } catch (NimbusException e) {
            if (!helloDone) {
                fatal("protocol.invalid_json", "the message is not a JSON object: " + e.getMessage(), null);
            } else {
                error("protocol.invalid_json", "the message is not a JSON object: " + e.getMessage(), null);
            }
            return;
        }
        String type = message.get("type") instanceof Value.Str s ? s.value() : "";
        if (!helloDone) {
            if (!type.equals("client_hello")) {
                fatal("protocol.unsupported_message_type", "the first message must be client_hello",
                        new Value.Obj(Map.of("receivedType", Value.of(type), "expectedType", Value.of("client_hello"))));
                return;
            }
            String protocol = message.get("protocol") instanceof Value.Str p ? p.value() : "";
            if (!protocol.equals(PROTOCOL)) {
                fatal("protocol.unsupported_version", "this server speaks " + PROTOCOL,
                        new Value.Obj(Map.of("receivedProtocol", Value.of(protocol))));
                return;
            }
            helloDone = true;
            helloTimer.cancel(false);
            return;
        }
        switch (type) {
            case "subscribe" -> Thread.ofVirtual().start(() -> subscribe(message));
            case "subscribe_named" -> Thread.ofVirtual().start(() -> subscribeNamed(message));
            case "unsubscribe" -> unsubscribe(message);
            case "clear_auth" -> send(new Value.Obj(Map.of("type", Value.of("authenticated"),
                    "is_authenticated", Value.of(false))));
            case "authenticate" -> error("auth.unauthorized", "authenticate is not supported; connect with the admin token", null);
            default -> error("protocol.unsupported_message_type", "unknown message type '" + type + "'",
                    new Value.Obj(Map.of("receivedType", Value.of(type))));
        }
    }

    private void subscribe(Value.Obj message) {
        String requestId = message.get("request_id") instanceof Value.Str r ? r.value() : "";
        try {
            if (!(message.get("query") instanceof Value.Obj q)) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "subscribe needs a \"query\" object");
            }
            if (subscriptions.size() >= SUBSCRIPTIONS_PER_CONNECTION_MAX) {
                throw new NimbusException(ErrorCode.RESOURCE_EXHAUSTED, "a connection holds at most "
                        + SUBSCRIPTIONS_PER_CONNECTION_MAX + " subscriptions");
            }
            long id = ids.incrementAndGet();
            firstRequestIds.put(id, requestId);
            Subscription s = engine.subscribe(tenant, Principal.ADMIN, QueryJson.parse(q), () -> ready.offer(id));
            subscriptions.put(id, s);
            ready.offer(id); // the first result is already in the mailbox
        } catch (NimbusException e) {
            sendOpError(requestId, e);
        }
    }

    /** The answer to a request that failed: {@code op.error} with the request's id. */
    private void sendOpError(String requestId, NimbusException e) {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("type", Value.of("op.error"));
        m.put("id", Value.of(requestId));
        m.put("error", new Value.Obj(Map.of("code", Value.of("op.failed"), "message", Value.of(e.getMessage()),
                "cause", Value.of(e.code().wireName()))));
        send(new Value.Obj(m));
    }

    /** {@code subscribe_named}: a live query function, re-run when something it read changes. */
    private void subscribeNamed(Value.Obj message) {
        String requestId = message.get("request_id") instanceof Value.Str r ? r.value() : "";
        try {
            if (namedQueries == null) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "this server has no query functions");
            }
            if (!(message.get("name") instanceof Value.Str name)) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "subscribe_named needs a \"name\": \"module:function\"");
            }
            Value args = message.get("args") == null ? Value.Obj.EMPTY : message.get("args");
            if (subscriptions.size() + named.size() >= SUBSCRIPTIONS_PER_CONNECTION_MAX) {
                throw new NimbusException(ErrorCode.RESOURCE_EXHAUSTED, "a connection holds at most "
                        + SUBSCRIPTIONS_PER_CONNECTION_MAX + " subscriptions");
            }
            long id = ids.incrementAndGet();
            firstRequestIds.put(id, requestId);
            AutoCloseable handle = namedQueries.subscribe(tenant, Principal.ADMIN, name.value(), args, value -> {
                namedResults.put(id, value);
                ready.offer(id);
            }, e -> error("session.subscription_error", e.getMessage(), new Value.Obj(Map.of(
                    "subscription_id", Value.of(id), "cause", Value.of(e.code().wireName())))));
            named.put(id, handle);
        } catch (NimbusException e) {
            sendOpError(requestId, e);
        }
    }

    private void unsubscribe(Value.Obj message) {
        AutoCloseable fn = message.get("subscription_id") instanceof Value.Int64 fid ? named.remove(fid.value()) : null;
        if (fn != null) {
            namedResults.remove(((Value.Int64) message.get("subscription_id")).value());
            try {
                fn.close();
            } catch (Exception ignored) {
                // closing a live query function cannot fail
            }
            return;
        }
        Subscription s = message.get("subscription_id") instanceof Value.Int64 id ? subscriptions.remove(id.value()) : null;
        if (s == null) {
            error("session.unsubscribe_failed", "no such subscription on this connection", null);
            return;
        }
        s.close();
    }

    /** The connection's one ordered writer: the newest result of each signalled subscription. */
    private void writeResults() {
        try {
            while (ctx.channel().isActive()) {
                Long id = ready.poll(1, TimeUnit.SECONDS);
                if (id == null) {
                    continue;
                }
                Value namedResult = namedResults.remove(id);
                if (namedResult != null) {
                    Map<String, Value> m = new LinkedHashMap<>();
                    m.put("type", Value.of("subscription_result"));
                    m.put("subscription_id", Value.of(id));
                    String first = firstRequestIds.remove(id);
                    if (first != null) {
                        m.put("request_id", Value.of(first));
                    }
                    m.put("data", namedResult);
                    send(new Value.Obj(m));
                    continue;
                }
                Subscription s = subscriptions.get(id);
                if (s == null) {
                    continue;
                }
                java.util.Optional<SubscriptionUpdate> update = s.poll();
                if (update.isEmpty()) {
                    continue;
                }
                List<Value> data = new ArrayList<>();
                for (Document d : update.get().documents()) {
                    data.add(d.toObject());
                }
                Map<String, Value> m = new LinkedHashMap<>();
                m.put("type", Value.of("subscription_result"));
                m.put("subscription_id", Value.of(id));
                String first = firstRequestIds.remove(id);
                if (first != null) {
                    m.put("request_id", Value.of(first));
                }
                m.put("data", Value.array(data));
                send(new Value.Obj(m));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void error(String code, String message, Value.Obj detail) {
        send(frame("error", code, message, detail));
    }

    private void fatal(String code, String message, Value.Obj detail) {
        ctx.writeAndFlush(new TextWebSocketFrame(ValueJson.write(frame("fatal_error", code, message, detail))));
        ctx.writeAndFlush(new CloseWebSocketFrame(1008, code)).addListener(ChannelFutureListener.CLOSE);
    }

    private static Value.Obj frame(String type, String code, String message, Value.Obj detail) {
        Map<String, Value> error = new LinkedHashMap<>();
        error.put("code", Value.of(code));
        error.put("message", Value.of(message));
        error.put("timestamp", Value.of(Instant.now().toString()));
        error.put("detail", detail == null ? Value.nullValue() : detail);
        return new Value.Obj(Map.of("type", Value.of(type), "error", new Value.Obj(error)));
    }

    private void send(Value.Obj message) {
        ctx.writeAndFlush(new TextWebSocketFrame(ValueJson.write(message)));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (helloTimer != null) {
            helloTimer.cancel(false);
        }
        if (writer != null) {
            writer.interrupt();
        }
        for (Subscription s : subscriptions.values()) {
            s.close(); // subscriptions die with their connection
        }
        subscriptions.clear();
        for (AutoCloseable fn : named.values()) {
            try {
                fn.close();
            } catch (Exception ignored) {
                // closing a live query function cannot fail
            }
        }
        named.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
