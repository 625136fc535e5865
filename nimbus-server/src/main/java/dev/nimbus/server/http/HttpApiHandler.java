package dev.nimbus.server.http;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.server.auth.AdminToken;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The last handler of an HTTP connection: decodes the request, checks the Origin rule and the
 * admin token, routes, and runs the route on a virtual thread (never on the event loop). A
 * connection handles one request at a time (reading pauses until the response is written), so
 * responses keep request order and a busy connection pushes back on its client.
 */
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);

    private final Router router;
    private final AdminToken token;
    private final ExecutorService work;
    private final WebSocketUpgrade webSockets;
    private final dev.nimbus.server.auth.AccessAudit audit;
    private final OriginPolicy origins;
    private final dev.nimbus.server.metrics.ServerMetrics metrics;

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
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return "req-" + HexFormat.of().formatHex(b);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String requestId = newRequestId();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            write(ctx, ErrorEnvelope.of(new NimbusException(ErrorCode.INVALID_INPUT, "malformed HTTP request"), requestId),
                    requestId, false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String method = req.method().name();
        if (uri.path().equals("/ws") && method.equals("GET") && webSockets != null) {
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
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        String bearer = bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION));
        String headerToken = req.headers().get("X-Nimbus-Admin-Token");
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        req.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
        byte[] body = ByteBufUtil.getBytes(req.content());
        if (method.equals("OPTIONS") && origin != null) {
            // CORS preflight: answered here, without credentials, for allowed origins only.
            ApiResponse preflight = origins.allows(origin) ? ApiResponse.noContent()
                    : ErrorEnvelope.of(new NimbusException(ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed"), requestId);
            write(ctx, preflight, requestId, keepAlive, origins.allows(origin) ? origin : null, true);
            return;
        }
        String allowedOrigin = origin != null && origins.allows(origin) ? origin : null;
        ctx.channel().config().setAutoRead(false);
        work.execute(() -> {
            ApiResponse response;
            long started = System.nanoTime();
            try {
                response = handle(method, uri, origin, bearer, headerToken, body, requestId, headers);
            } catch (NimbusException e) {
                response = ErrorEnvelope.of(e, requestId);
            } catch (RuntimeException e) {
                LOG.error("request {} {} failed ({})", method, uri.path(), requestId, e);
                response = ErrorEnvelope.of(new NimbusException(ErrorCode.INTERNAL, "internal error"), requestId);
            }
            metrics.response(routeFamily(uri.path()), response.status(), System.nanoTime() - started);
            write(ctx, response, requestId, keepAlive, allowedOrigin, false);
        });
    }

    private ApiResponse handle(String method, QueryStringDecoder uri, String origin, String bearer, String headerToken,
                               byte[] body, String requestId, java.util.Map<String, String> headers) {
        String family = routeFamily(uri.path());
        String tenantId = tenantOf(uri.path());
        String authMethod = bearer != null ? "local_admin_bearer" : headerToken != null ? "local_admin_header" : "none";
        if (origin != null && !origins.allows(origin)) {
            audit.record(family, tenantId, authMethod, false, origin, "origin_rejected");
            throw new NimbusException(ErrorCode.FORBIDDEN, "requests from origin " + origin + " are not allowed");
        }
        Optional<Router.Match> match = router.match(method, uri.path());

        if (match.isEmpty()) {
            throw new NimbusException(ErrorCode.ROUTE_NOT_FOUND, router.pathExists(uri.path())
                    ? "method " + method + " is not supported on " + uri.path()
                    : "no route " + method + " " + uri.path());
        }
        if (match.get().access() == Router.Access.ADMIN) {
            boolean ok = token.matches(bearer) || token.matches(headerToken);
            audit.record(family, tenantId, authMethod, ok, origin, ok ? "authorized" : "invalid_or_missing_token");
            if (!ok) {
                throw new NimbusException(ErrorCode.UNAUTHORIZED, "this route needs the local admin token as "
                        + "'Authorization: Bearer <token>' or 'X-Nimbus-Admin-Token: <token>'");
            }
        }
        ApiRequest request = new ApiRequest(method, uri.path(), match.get().params(), uri.parameters(), body, requestId,
                headers);
        return match.get().handler().handle(request);
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

    static String tenantOf(String path) {
        String[] parts = path.split("/");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equals("tenants")) {
                return parts[i + 1];
            }
        }
        return null;
    }

    private static String bearer(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    public static void write(ChannelHandlerContext ctx, ApiResponse response, String requestId, boolean keepAlive) {
        write(ctx, response, requestId, keepAlive, null, false);
    }

    static void write(ChannelHandlerContext ctx, ApiResponse response, String requestId, boolean keepAlive,
                      String allowedOrigin, boolean preflight) {
        byte[] json = response.json().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(json));
        out.headers().set("X-Request-Id", requestId);
        if (allowedOrigin != null) {
            out.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowedOrigin);
            out.headers().set(HttpHeaderNames.VARY, "Origin");
            if (preflight) {
                out.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
                out.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                        "Authorization, Content-Type, X-Nimbus-Admin-Token, X-Tenant-Id");
                out.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
            }
        }
        if (json.length > 0) {
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        if (keepAlive) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
            if (!keepAlive || !f.isSuccess()) {
                f.channel().close();
            } else {
                f.channel().config().setAutoRead(true);
                f.channel().read();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error: {}", cause.toString());
        ctx.close();
    }
}
