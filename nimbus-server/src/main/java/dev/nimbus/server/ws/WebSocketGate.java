package dev.nimbus.server.ws;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.server.api.TenantDirectory;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.http.ErrorEnvelope;
import dev.nimbus.server.http.HttpApiHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The checks before a {@code GET /ws} upgrade, in Nimbus's order and shapes: the
 * {@code nimbus.v2} subprotocol (else 400 {@code protocol.no_overlap}), a tenant from
 * {@code X-Tenant-Id} or {@code tenant_id} (400 / 404), the admin token (401). Then the
 * handshake, and the connection's pipeline becomes a {@link NimbusV2Session}.
 */
public final class WebSocketGate implements HttpApiHandler.WebSocketUpgrade {
    public static final int FRAME_BYTES_MAX = 1024 * 1024;

    private final Engine engine;
    private final TenantDirectory tenants;
    private final long helloTimeoutMillis;
    private final dev.nimbus.server.auth.AccessAudit audit;

    private final NamedQueries namedQueries;

    /**
     * {@code tenants} admits the connection's tenant, as it admits native API requests;
     * {@code namedQueries} serves {@code subscribe_named} (live query functions); null: not offered.
     */
    public WebSocketGate(Engine engine, TenantDirectory tenants, long helloTimeoutMillis,
                         dev.nimbus.server.auth.AccessAudit audit, NamedQueries namedQueries) {
        this.namedQueries = namedQueries;
        this.engine = engine;
        this.tenants = tenants;
        this.helloTimeoutMillis = helloTimeoutMillis;
        this.audit = audit;
    }

    @Override
    public void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String requestId, AdminToken token) {
        try {
            TenantId tenant = check(req, token);
            ctx.executor().execute(() -> handshake(ctx, req, tenant, requestId));
        } catch (NimbusException e) {
            req.release();
            HttpApiHandler.write(ctx, ErrorEnvelope.of(e, requestId), requestId, false);
        }
    }

    private TenantId check(FullHttpRequest req, AdminToken token) {
        String offered = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "");
        List<String> protocols = Arrays.stream(offered.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (!protocols.contains(NimbusV2Session.PROTOCOL)) {
            throw new NimbusException(ErrorCode.PROTOCOL_NO_OVERLAP, "this server speaks " + NimbusV2Session.PROTOCOL,
                    Map.of("serverSupports", Value.array(Value.of(NimbusV2Session.PROTOCOL)),
                            "clientOffered", Value.array(protocols.stream().map(p -> (Value) Value.of(p)).toList())));
        }
        String raw = req.headers().get("X-Tenant-Id");
        if (raw == null) {
            List<String> q = new QueryStringDecoder(req.uri()).parameters().get("tenant_id");
            raw = q == null || q.isEmpty() ? null : q.get(0);
        }
        if (raw == null || raw.isBlank()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "name the tenant with X-Tenant-Id or ?tenant_id=");
        }
        TenantId tenant;
        try {
            tenant = TenantId.of(raw);
        } catch (NimbusException e) {
            throw tenantNotFound(raw);
        }
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        String header = req.headers().get("X-Nimbus-Admin-Token");
        boolean ok = token.matches(bearer) || token.matches(header);
        audit.record("websocket", raw, bearer != null ? "local_admin_bearer" : header != null ? "local_admin_header" : "none",
                ok, req.headers().get(HttpHeaderNames.ORIGIN), ok ? "authorized" : "invalid_or_missing_token");
        if (!ok) {
            throw new NimbusException(ErrorCode.UNAUTHORIZED, "the WebSocket needs the local admin token");
        }
        if (!tenants.admit(tenant, dev.nimbus.core.model.Principal.ADMIN)) {
            throw tenantNotFound(raw);
        }
        return tenant;
    }

    private static NimbusException tenantNotFound(String raw) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + raw + " does not exist",
                Map.of("tenantId", Value.of(raw)));
    }

    private void handshake(ChannelHandlerContext ctx, FullHttpRequest req, TenantId tenant, String requestId) {
        try {
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                    "ws://" + req.headers().get(HttpHeaderNames.HOST) + "/ws", NimbusV2Session.PROTOCOL, false,
                    FRAME_BYTES_MAX).newHandshaker(req);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            NimbusV2Session session = new NimbusV2Session(engine, tenant, helloTimeoutMillis, requestId.substring(4),
                    namedQueries);
            ctx.pipeline().addLast("ws-session", session);
            ctx.pipeline().remove(ctx.handler());
            handshaker.handshake(ctx.channel(), req).addListener(f -> {
                if (f.isSuccess()) {
                    ctx.channel().config().setAutoRead(true);
                    session.start();
                } else {
                    ctx.channel().close();
                }
            });
        } finally {
            req.release();
        }
    }
}
