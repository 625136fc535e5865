package dev.nimbus.server.dynamodb;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.AccessKeys;
import dev.nimbus.dynamodb.DynamoDbService;
import dev.nimbus.engine.Engine;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.http.ApiResponse;
import dev.nimbus.server.http.Router;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The DynamoDB endpoint: a dedicated plain-HTTP listener whose pipeline is
 * {@code HttpServerCodec → DynamoDbBodyLimit (16 MiB, 413) → DynamoDbHttpHandler}, the
 * adapter's {@link DynamoDbService} behind it on virtual threads, the TTL sweeper, and the admin
 * routes that manage access keys.
 */
public final class DynamoDbListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbListener.class);

    private final Engine engine;
    private final DynamoDbSettings settings;
    private final AccessKeys keys;
    private final DynamoDbService service;
    private final ScheduledExecutorService sweeper;
    private Channel channel;

    /**
     * Sets up keys and the adapter (no socket yet).
     *
     * @param credentialsFile where the generated key lives when no key is configured
     */
    public DynamoDbListener(Engine engine, DynamoDbSettings settings, Path credentialsFile, Clock clock) {
        this.engine = engine;
        this.settings = settings;
        List<String> specs = new ArrayList<>(settings.accessKeys());
        if (specs.isEmpty()) {
            specs.add(WireCredentials.loadOrMint(settings.credentialsFile() != null ? settings.credentialsFile() : credentialsFile));
        }
        List<AccessKeys.AccessKey> parsed = new ArrayList<>();
        for (String spec : specs) {
            try {
                parsed.add(AccessKeys.parse(spec));
            } catch (IllegalArgumentException | NimbusException e) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "bad --dynamodb-access-key: " + e.getMessage());
            }
        }
        for (AccessKeys.AccessKey k : parsed) {
            if (!engine.tenantExists(k.tenant())) {
                engine.createTenant(k.tenant());
            }
        }
        this.keys = new AccessKeys(engine, parsed);
        this.service = new DynamoDbService(engine, keys, clock);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nimbus-dynamodb-ttl");
            t.setDaemon(true);
            return t;
        });
        if (settings.ttlSweepMillis() > 0) {
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, settings.ttlSweepMillis(), settings.ttlSweepMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Binds the listener. A busy port is fatal when pinned ({@code --dynamodb-port}); otherwise the
     * listener is skipped with a warning and this returns false.
     */
    public boolean bind(EventLoopGroup boss, EventLoopGroup workers, Class<? extends io.netty.channel.ServerChannel> serverChannel,
                        ExecutorService work, boolean allowNetwork) {
        if (!settings.loopback() && !allowNetwork) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "refusing to bind the DynamoDB listener to "
                    + settings.host() + ": a non-loopback --dynamodb-host needs --allow-network");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec(ServerConfig.INITIAL_LINE_BYTES_MAX,
                                        ServerConfig.HEADER_BYTES_MAX, 8192))
                                .addLast("body", new DynamoDbBodyLimit(DynamoDbSettings.BODY_BYTES_MAX))
                                .addLast("dynamodb", new DynamoDbHttpHandler(service, work));
                    }
                });
        try {
            channel = b.bind(new InetSocketAddress(settings.host(), settings.port())).sync().channel();
        } catch (Exception e) {
            if (settings.portPinned()) {
                throw new NimbusException(ErrorCode.UNAVAILABLE, "cannot listen for DynamoDB on " + settings.host() + ":"
                        + settings.port() + ": " + e.getMessage());
            }
            LOG.warn("DynamoDB listener skipped: {}:{} is busy ({}); pass --dynamodb-port to choose another port",
                    settings.host(), settings.port(), e.getMessage());
            return false;
        }
        LOG.info("nimbus DynamoDB endpoint on http://{}:{}", settings.host(), port());
        return true;
    }

    public int port() {
        return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public boolean bound() {
        return channel != null;
    }

    public AccessKeys keys() {
        return keys;
    }

    public DynamoDbService service() {
        return service;
    }

    /** Runs one TTL sweep now over every tenant; returns how many items it deleted. */
    public int sweepExpiredNow() {
        return service.sweepExpired(engine.tenants());
    }

    private void sweepQuietly() {
        try {
            int n = sweepExpiredNow();
            if (n > 0) {
                LOG.info("DynamoDB TTL: deleted {} expired items", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("DynamoDB TTL sweep failed: {}", e.getMessage());
        }
    }

    /** The admin routes for access keys: create, list (redacted) and revoke. */
    public Router routes(Router router) {
        return router
                .add("GET", "/api/system/dynamodb/keys", Router.Access.ADMIN, q -> {
                    List<Value> out = new ArrayList<>();
                    for (Map<String, Object> k : keys.list()) {
                        java.util.LinkedHashMap<String, Value> f = new java.util.LinkedHashMap<>();
                        k.forEach((name, v) -> f.put(name, v instanceof String s ? Value.of(s)
                                : v instanceof Boolean bool ? Value.of(bool) : Value.of(((Number) v).longValue())));
                        out.add(new Value.Obj(f));
                    }
                    return ApiResponse.ok(new Value.Obj(Map.of("keys", Value.array(out))));
                })
                .add("POST", "/api/system/dynamodb/keys", Router.Access.ADMIN, q -> {
                    Value tenant = q.json().get("tenant");
                    if (!(tenant instanceof Value.Str s)) {
                        throw new NimbusException(ErrorCode.INVALID_INPUT, "give the tenant the key is bound to: {\"tenant\": \"...\"}");
                    }
                    AccessKeys.AccessKey k = keys.create(TenantId.of(s.value()));
                    return ApiResponse.created(new Value.Obj(Map.of("accessKeyId", Value.of(k.accessKeyId()),
                            "secretAccessKey", Value.of(k.secret()), "tenant", Value.of(k.tenant().value()))));
                })
                .add("DELETE", "/api/system/dynamodb/keys/{key_id}", Router.Access.ADMIN, q -> {
                    if (!keys.revoke(q.param("key_id"))) {
                        throw new NimbusException(ErrorCode.NOT_FOUND, "no managed DynamoDB access key " + q.param("key_id")
                                + " (keys given with --dynamodb-access-key are removed from the configuration)");
                    }
                    return ApiResponse.noContent();
                });
    }

    public Optional<Channel> channel() {
        return Optional.ofNullable(channel);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }
}
