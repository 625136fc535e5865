package dev.nimbus.server.dynamodb;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * Aggregates a request up to 16 MiB; a larger one (by Content-Length, before buffering) gets
 * {@code 413 Payload Too Large} and its bytes are skipped so the connection stays usable.
 */
final class DynamoDbBodyLimit extends HttpObjectAggregator {
    DynamoDbBodyLimit(int maxBytes) {
        super(maxBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        byte[] body = ("{\"__type\":\"com.amazon.coral.service#RequestEntityTooLarge\",\"message\":\"Request payload "
                + "exceeds the maximum allowed size of " + DynamoDbSettings.BODY_BYTES_MAX + " bytes\"}")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-amz-json-1.0");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        boolean keepAlive = HttpUtil.isKeepAlive(oversized) && !HttpUtil.is100ContinueExpected(oversized)
                && HttpUtil.isContentLengthSet(oversized);
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(r);
        }
    }
}
