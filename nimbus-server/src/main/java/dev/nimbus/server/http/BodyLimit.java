package dev.nimbus.server.http;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

import java.util.Map;

/**
 * Aggregates request bodies up to the limit; a larger body gets 413 in the error envelope
 * ({@code op.invalid_input} with {@code detail.limitBytes}) and its bytes are skipped, so a
 * keep-alive connection goes on serving.
 */
public final class BodyLimit extends HttpObjectAggregator {
    private final int maxBytes;

    public BodyLimit(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String requestId = HttpApiHandler.newRequestId();
        NimbusException e = new NimbusException(ErrorCode.INVALID_INPUT, "the request body is larger than "
                + maxBytes + " bytes", Map.of("limitBytes", Value.of((long) maxBytes)));
        ApiResponse envelope = ErrorEnvelope.of(e, requestId);
        ApiResponse tooLarge = new ApiResponse(413, envelope.body());
        boolean keepAlive = HttpUtil.isKeepAlive(oversized) && !HttpUtil.is100ContinueExpected(oversized);
        HttpApiHandler.write(ctx, tooLarge, requestId, keepAlive);
    }
}
