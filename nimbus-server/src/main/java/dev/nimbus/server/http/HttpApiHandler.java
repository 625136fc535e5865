package dev.nimbus.server.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.server.auth.AdminToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The last handler of an HTTP connection: decodes the request, checks the Origin rule and the
 * admin token, routes, and runs the route on a virtual thread (never on the event loop), except
 * public routes that only read memory ({@link Router.Runs#EVENT_LOOP}), which answer on the
 * event loop. A connection handles one request at a time: a request read while another is in
 * flight (HTTP pipelining) waits here and reading pauses until the responses before it are
 * written, so responses keep request order and a busy connection pushes back on its client.
 * A client that waits for each response (the usual case) never pauses reading, which costs
 * nothing per request.
 */
public final class HttpApiHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("X-Request-Id");
    private static final AsciiString X_NIMBUS_ADMIN_TOKEN = AsciiString.cached("X-Nimbus-Admin-Token");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final AsciiString ALLOW_METHODS = AsciiString.cached("GET, POST, PUT, PATCH, DELETE, OPTIONS");
    private static final AsciiString ALLOW_HEADERS =
            AsciiString.cached("Authorization, Content-Type, X-Nimbus-Admin-Token, X-Tenant-Id");
    private static final AsciiString MAX_AGE = AsciiString.cached("600");
    private static final AsciiString ORIGIN = AsciiString.cached("Origin");

    /**
     * Generates response bodies as UTF-8 bytes. Characters beyond the BMP are written as
     * themselves, as {@link ValueJson#write(dev.nimbus.core.value.Value)} writes them, not as
     * escaped surrogate pairs (the byte generator's default).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build();

    private final Router router;
    private final AdminToken token;
    private final ExecutorService work;
    private final WebSocketUpgrade webSockets;
    private final dev.nimbus.server.auth.AccessAudit audit;
    private final OriginPolicy origins;
    private final dev.nimbus.server.metrics.ServerMetrics metrics;
    /** Requests read while one is in flight; event loop only. Reading is paused while any wait. */
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    /** Whether a request of this connection is being answered; event loop only. */
    private boolean busy;

    public HttpApiHandler(Router router, AdminToken token, ExecutorService work, WebSocketUpgrade webSockets,
                          dev.nimbus.server.auth.AccessAudit audit, OriginPolicy origins,
                          dev.nimbus.server.metrics.ServerMetrics metrics) {
        this.router = router;
        this.token = token;
        this.work = work;
        this.webSockets = webSockets;
        this.audit = audit;
        this.origins = origins;
        this.metrics = metrics;
    }

    /** Upgrades {@code GET /ws} to the nimbus.v2 WebSocket protocol after its checks. */
    public interface WebSocketUpgrade {
        void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String requestId, AdminToken token);
    }

    static String newRequestId() {
        return "req-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (busy) {
            waiting.add(req);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        serve(ctx, req);
    }

    /** Answers {@code req} and gives it back; the response's write starts {@link #next}. */
    private void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        try {
            dispatch(ctx, req);
        } finally {
            req.release();
        }
    }

    /** After a response is written: the next waiting request, else reading again. Event loop. */
    private void next(ChannelHandlerContext ctx) {
        busy = false;
        FullHttpRequest r = waiting.poll();
        if (r != null) {
            serve(ctx, r);
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (FullHttpRequest r = waiting.poll(); r != null; r = waiting.poll()) {
            r.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        handlerRemoved(ctx);
        super.channelInactive(ctx);
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest req) {
        String requestId = newRequestId();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            respond(ctx, ErrorEnvelope.of(new NimbusException(ErrorCode.INVALID_INPUT, "malformed HTTP request"), requestId),
                    requestId, false, null, false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        String method = req.method().name();
        HttpHeaders headers = req.headers();
        if (path.equals("/ws") && method.equals("GET") && webSockets != null) {
            upgrade(ctx, req, requestId);
            return;
        }
        String origin = headers.get(ORIGIN);
        if (method.equals("OPTIONS") && origin != null) {
            // CORS preflight: answered here, without credentials, for allowed origins only.
            boolean allowed = origins.allows(origin);
            ApiResponse preflight = allowed ? ApiResponse.noContent()
                    : ErrorEnvelope.of(new NimbusException(ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed"), requestId);
            respond(ctx, preflight, requestId, keepAlive, allowed ? origin : null, true);
            return;
        }
        String allowedOrigin = origin != null && origins.allows(origin) ? origin : null;
        String family = routeFamily(path);
        Optional<Router.Match> match = router.match(method, path);
        byte[] body = ByteBufUtil.getBytes(req.content());
        ApiRequest request = new ApiRequest(method, path, match.map(Router.Match::params).orElse(Map.of()),
                uri.parameters(), body, requestId, new RequestHeaders(headers));
        if (match.isPresent() && match.get().runs() == Router.Runs.EVENT_LOOP && (origin == null || allowedOrigin != null)) {
            // A public route that only reads memory, from an acceptable origin: no gate can block here.
            long started = System.nanoTime();
            ApiResponse response;
            try {
                response = ((Router.NonBlockingHandler) match.get().handler()).handle(request);
            } catch (RuntimeException e) {
                response = failure(e, method, path, requestId);
            }
            metrics.response(family, response.status(), System.nanoTime() - started);
            respond(ctx, response, requestId, keepAlive, allowedOrigin, false);
            return;
        }
        String bearer = bearer(headers.get(HttpHeaderNames.AUTHORIZATION));
        String headerToken = headers.get(X_NIMBUS_ADMIN_TOKEN);
        work.execute(() -> {
            long started = System.nanoTime();
            CompletableFuture<ApiResponse> answer;
            try {
                answer = handle(request, match, family, origin, bearer, headerToken);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            if (answer.isDone()) {
                finish(ctx, answer, request, family, started, keepAlive, allowedOrigin);
            } else {
                // Completed by the engine's acknowledger: hand the rest to the event loop at once.
                CompletableFuture<ApiResponse> later = answer;
                later.whenComplete((r, e) -> {
                    try {
                        ctx.executor().execute(() -> finish(ctx, later, request, family, started, keepAlive, allowedOrigin));
                    } catch (java.util.concurrent.RejectedExecutionException stopping) {
                        // The server is stopping and the connection with it; the completing thread goes on.
                        LOG.debug("no event loop for the response of {}", request.requestId());
                    }
                });
            }
        });
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String requestId) {
        String wsOrigin = req.headers().get(HttpHeaderNames.ORIGIN);
        FullHttpRequest retained = req.retainedDuplicate();
        ctx.channel().config().setAutoRead(false);
        work.execute(() -> {
            if (wsOrigin != null && !origins.allows(wsOrigin)) {
                // A browser page of another origin must not open a socket with the token.
                // (Off the event loop: the audit log may make its caller wait.)
                retained.release();
                audit.record("websocket", null, "none", false, wsOrigin, "origin_rejected");
                write(ctx, ErrorEnvelope.of(new NimbusException(ErrorCode.FORBIDDEN,
                        "WebSocket connections from origin " + wsOrigin + " are not allowed"), requestId),
                        requestId, false);
                return;
            }
            webSockets.upgrade(ctx, retained, requestId, token);
        });
    }

    private void finish(ChannelHandlerContext ctx, CompletableFuture<ApiResponse> answer, ApiRequest request,
                        String family, long started, boolean keepAlive, String allowedOrigin) {
        ApiResponse response;
        try {
            response = answer.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            response = failure(cause, request.method(), request.path(), request.requestId());
        }
        metrics.response(family, response.status(), System.nanoTime() - started);
        respond(ctx, response, request.requestId(), keepAlive, allowedOrigin, false);
    }

    private static ApiResponse failure(Throwable e, String method, String path, String requestId) {
        if (e instanceof NimbusException n) {
            return ErrorEnvelope.of(n, requestId);
        }
        LOG.error("request {} {} failed ({})", method, path, requestId, e);
        return ErrorEnvelope.of(new NimbusException(ErrorCode.INTERNAL, "internal error"), requestId);
    }

    private CompletableFuture<ApiResponse> handle(ApiRequest request, Optional<Router.Match> match, String family,
                                                  String origin, String bearer, String headerToken) {
        String path = request.path();
        String method = request.method();
        String authMethod = bearer != null ? "local_admin_bearer" : headerToken != null ? "local_admin_header" : "none";
        if (origin != null && !origins.allows(origin)) {
            audit.record(family, tenantOf(path), authMethod, false, origin, "origin_rejected");
            throw new NimbusException(ErrorCode.FORBIDDEN, "requests from origin " + origin + " are not allowed");
        }
        if (match.isEmpty()) {
            throw new NimbusException(ErrorCode.ROUTE_NOT_FOUND, router.pathExists(path)
                    ? "method " + method + " is not supported on " + path
                    : "no route " + method + " " + path);
        }
        if (match.get().access() == Router.Access.ADMIN) {
            boolean ok = token.matches(bearer) || token.matches(headerToken);
            audit.record(family, tenantOf(path), authMethod, ok, origin, ok ? "authorized" : "invalid_or_missing_token");
            if (!ok) {
                throw new NimbusException(ErrorCode.UNAUTHORIZED, "this route needs the local admin token as "
                        + "'Authorization: Bearer <token>' or 'X-Nimbus-Admin-Token: <token>'");
            }
        }
        try {
            return match.get().call(request);
        } catch (RuntimeException e) {
            if (!(e instanceof NimbusException)) {
                LOG.error("request {} {} failed ({})", method, path, request.requestId(), e);
                return CompletableFuture.completedFuture(
                        ErrorEnvelope.of(new NimbusException(ErrorCode.INTERNAL, "internal error"), request.requestId()));
            }
            throw e;
        }
    }

    static String routeFamily(String path) {
        if (path.startsWith("/debug/")) {
            return "debug";
        }
        if (path.startsWith("/api/system/")) {
            return "system";
        }
        return path.startsWith("/api/") ? "native_api" : "public";
    }

    /**
     * The segment after the first {@code tenants} segment, as {@code path.split("/")} would
     * give it (trailing empty segments do not count), or null.
     */
    static String tenantOf(String path) {
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end - start == 7 && path.startsWith("tenants", start)) {
                if (end >= path.length()) {
                    return null;
                }
                int nextEnd = path.indexOf('/', end + 1);
                String next = path.substring(end + 1, nextEnd < 0 ? path.length() : nextEnd);
                // split drops trailing empty segments: an empty one counts only if something follows
                for (int i = end + 1; i < path.length(); i++) {
                    if (path.charAt(i) != '/') {
                        return next;
                    }
                }
                return null;
            }
            start = end + 1;
        }
        return null;
    }

    private static String bearer(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    /** Writes a response and resumes reading (keep-alive) or closes; for writers outside this handler. */
    public static void write(ChannelHandlerContext ctx, ApiResponse response, String requestId, boolean keepAlive) {
        FullHttpResponse out = response(ctx.alloc(), response, requestId, keepAlive, null, false);
        ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
            if (!keepAlive || !f.isSuccess()) {
                f.channel().close();
            } else {
                f.channel().config().setAutoRead(true);
                f.channel().read();
            }
        });
    }

    /** Encodes off the event loop when called off it, then writes on it; the write starts {@link #next}. */
    private void respond(ChannelHandlerContext ctx, ApiResponse response, String requestId, boolean keepAlive,
                         String allowedOrigin, boolean preflight) {
        FullHttpResponse out = response(ctx.alloc(), response, requestId, keepAlive, allowedOrigin, preflight);
        if (ctx.executor().inEventLoop()) {
            send(ctx, out, keepAlive);
            return;
        }
        try {
            ctx.executor().execute(() -> send(ctx, out, keepAlive));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            out.release(); // the server is stopping and the connection with it
        }
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse out, boolean keepAlive) {
        ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
            if (!keepAlive || !f.isSuccess()) {
                f.channel().close();
            } else {
                next(ctx);
            }
        });
    }

    static FullHttpResponse response(ByteBufAllocator alloc, ApiResponse response, String requestId, boolean keepAlive,
                                     String allowedOrigin, boolean preflight) {
        ByteBuf content = content(alloc, response);
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), content);
        HttpHeaders h = out.headers();
        h.set(X_REQUEST_ID, requestId);
        if (allowedOrigin != null) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowedOrigin);
            h.set(HttpHeaderNames.VARY, ORIGIN);
            if (preflight) {
                h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
                h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
                h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE);
            }
        }
        int length = content.readableBytes();
        if (length > 0) {
            h.set(HttpHeaderNames.CONTENT_TYPE, response.text() != null ? response.contentType() : APPLICATION_JSON);
        }
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        h.set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return out;
    }

    /**
     * The response body as UTF-8: JSON is generated straight into the buffer (the same bytes as
     * {@link ApiResponse#json()} encoded as UTF-8).
     */
    static ByteBuf content(ByteBufAllocator alloc, ApiResponse response) {
        if (response.text() != null) {
            return Unpooled.wrappedBuffer(response.text().getBytes(StandardCharsets.UTF_8));
        }
        if (response.body() == null) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf buf = alloc.buffer(256);
        try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf),
                JsonEncoding.UTF8)) {
            ValueJson.write(g, response.body());
        } catch (IOException | RuntimeException e) {
            // Not expected (values hold valid text); the text path gives the same bytes when it works.
            buf.release();
            return Unpooled.wrappedBuffer(response.json().getBytes(StandardCharsets.UTF_8));
        }
        return buf;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error: {}", cause.toString());
        ctx.close();
    }
}
