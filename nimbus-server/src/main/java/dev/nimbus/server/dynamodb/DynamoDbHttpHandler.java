package dev.nimbus.server.dynamodb;

import dev.nimbus.dynamodb.DynamoDbService;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands each aggregated request to the adapter on a virtual thread and writes its answer back,
 * keeping the connection alive when the client asks. {@code POST /} only; anything else is a
 * DynamoDB-shaped error.
 */
final class DynamoDbHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Headers a request typically carries; sizes the copy so that it never rehashes. */
    private static final int HEADERS_EXPECTED = 16;

    private final DynamoDbService service;
    private final ExecutorService work;

    DynamoDbHttpHandler(DynamoDbService service, ExecutorService work) {
        this.service = service;
        this.work = work;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            write(ctx, new DynamoDbService.Response(400, Map.of("Content-Type", DynamoDbService.CONTENT_TYPE),
                    "{\"__type\":\"com.amazon.coral.service#SerializationException\"}".getBytes(StandardCharsets.UTF_8)), false);
            return;
        }
        String method = request.method().name();
        String uri = request.uri();
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        Map<String, String> headers = new HashMap<>(HEADERS_EXPECTED * 2); // an SDK request sends about a dozen
        request.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        byte[] body = ByteBufUtil.getBytes(request.content());
        if (!method.equals("POST") || !path.equals("/")) {
            byte[] b = ("{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}").getBytes(StandardCharsets.UTF_8);
            write(ctx, new DynamoDbService.Response(method.equals("POST") ? 404 : 405,
                    Map.of("Content-Type", DynamoDbService.CONTENT_TYPE), b), keepAlive);
            return;
        }
        try {
            work.execute(() -> {
                DynamoDbService.Response r = service.handle(method, path, headers, body);
                ctx.executor().execute(() -> write(ctx, r, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, new DynamoDbService.Response(503, Map.of("Content-Type", DynamoDbService.CONTENT_TYPE),
                    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ServiceUnavailable\"}".getBytes(StandardCharsets.UTF_8)), false);
        }
    }

    private static void write(ChannelHandlerContext ctx, DynamoDbService.Response r, boolean keepAlive) {
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        r.headers().forEach((k, v) -> out.headers().set(k, v));
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        if (keepAlive) {
            ctx.writeAndFlush(out);
        } else {
            out.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
