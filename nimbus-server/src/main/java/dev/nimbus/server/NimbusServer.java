package dev.nimbus.server;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.server.api.NativeApi;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.http.BodyLimit;
import dev.nimbus.server.http.HttpApiHandler;
import dev.nimbus.server.http.Router;
import dev.nimbus.server.ws.WebSocketGate;
import dev.nimbus.storage.StorageProvider;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server: every component constructed and connected here, in one readable place. Storage
 * (SQLite under the data dir by default, or PostgreSQL / MySQL) → engine → routes → one Netty pipeline per connection:
 * {@code HttpServerCodec → BodyLimit → HttpApiHandler} (a {@code GET /ws} upgrade becomes
 * {@code WebSocket codec → NimbusV2Session}). Event loops only do I/O; routes run on
 * virtual threads.
 */
public final class NimbusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NimbusServer.class);

    private final StorageProvider storage;
    private final Engine engine;
    private final AdminToken token;
    private final dev.nimbus.server.auth.AccessAudit audit;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService work;
    private final Channel channel;
    private final int port;
    private final dev.nimbus.server.dynamodb.DynamoDbListener dynamodb;

    private NimbusServer(ServerConfig config) throws InterruptedException {
        this.token = AdminToken.loadOrMint(config.tokenFile());
        if (!config.loopback()) {
            if (!config.allowNetwork()) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "refusing to bind " + config.host()
                        + ": a non-loopback host needs --allow-network");
            }
            if (!token.rotatedAtLeastOnce()) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "refusing to bind " + config.host()
                        + ": the admin token was never rotated; run 'nimbus token rotate' first");
            }
        }
        io.netty.handler.ssl.SslContext tls = null;
        if (config.tls() != null) {
            try {
                tls = io.netty.handler.ssl.SslContextBuilder.forServer(config.tls().certificateChain().toFile(),
                        config.tls().privateKey().toFile()).build();
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "cannot use --tls-cert/--tls-key: " + e.getMessage());
            }
        }
        io.netty.handler.ssl.SslContext sslContext = tls;
        this.audit = dev.nimbus.server.auth.AccessAudit.open(config.auditLog());
        this.storage = config.storage().open();
        this.engine = new Engine(storage, EngineLimits.fromEnvironment());
        this.work = Executors.newVirtualThreadPerTaskExecutor();
        dev.nimbus.server.metrics.ServerMetrics metrics = new dev.nimbus.server.metrics.ServerMetrics(engine);
        try {
            this.dynamodb = config.dynamodb().enabled() ? new dev.nimbus.server.dynamodb.DynamoDbListener(engine,
                    config.dynamodb(), wireCredentialsFile(config), java.time.Clock.systemUTC()) : null;
        } catch (RuntimeException e) {
            // A bad DynamoDB configuration serves nothing: give back the engine and the data dir lock.
            work.close();
            engine.close();
            storage.close();
            audit.close();
            throw e;
        }
        Router router = new NativeApi(engine).routes(new Router())
                .add("GET", "/metrics", Router.Access.ADMIN, q -> dev.nimbus.server.http.ApiResponse.text(metrics.scrape()))
                .add("POST", "/api/system/token/rotate", Router.Access.ADMIN, q -> {
                    token.rotate();
                    return dev.nimbus.server.http.ApiResponse.ok(new dev.nimbus.core.value.Value.Obj(java.util.Map.of(
                            "generation", dev.nimbus.core.value.Value.of(token.generation()),
                            "token", dev.nimbus.core.value.Value.of(token.value()))));
                });
        if (dynamodb != null) {
            dynamodb.routes(router);
        }
        WebSocketGate webSockets = new WebSocketGate(engine, config.wsHelloTimeoutMillis(), audit);
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        int[] boundPort = new int[1];
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                // Small JSON responses must not wait for Nagle's algorithm and delayed ACKs.
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (sslContext != null) {
                            ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec(ServerConfig.INITIAL_LINE_BYTES_MAX,
                                        ServerConfig.HEADER_BYTES_MAX, 8192))
                                .addLast("body", new BodyLimit(config.bodyBytesMax()))
                                .addLast("api", new HttpApiHandler(router, token, work, webSockets, audit,
                                        new dev.nimbus.server.http.OriginPolicy(boundPort[0], config.corsAllowOrigins(),
                                                sslContext != null),
                                        metrics));
                    }
                });
        Channel bound;
        try {
            bound = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
            if (dynamodb != null) {
                try {
                    dynamodb.bind(boss, workers, work, config.allowNetwork());
                } catch (RuntimeException e) {
                    bound.close().syncUninterruptibly();
                    throw e;
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            // Nothing is served: give back the port's threads, the engine and the data dir lock.
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            if (dynamodb != null) {
                dynamodb.close();
            }
            engine.close();
            storage.close();
            audit.close();
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (e instanceof NimbusException n) {
                throw n;
            }
            throw new NimbusException(ErrorCode.UNAVAILABLE, "cannot listen on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage());
        }
        this.channel = bound;
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
        boundPort[0] = port;
        LOG.info("nimbus listening on {}://{}:{}", sslContext != null ? "https" : "http",
                config.host().contains(":") ? "[" + config.host() + "]" : config.host(), port);
    }

    public static NimbusServer start(ServerConfig config) {
        try {
            return new NimbusServer(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    public int port() {
        return port;
    }

    /** The DynamoDB listener when enabled and bound. */
    public java.util.Optional<dev.nimbus.server.dynamodb.DynamoDbListener> dynamodb() {
        return java.util.Optional.ofNullable(dynamodb).filter(dev.nimbus.server.dynamodb.DynamoDbListener::bound);
    }

    /** {@code wire-credentials.json}: in the SQLite data dir, else beside the admin token file. */
    static java.nio.file.Path wireCredentialsFile(ServerConfig config) {
        String name = dev.nimbus.server.dynamodb.WireCredentials.FILE_NAME;
        return config.storage() instanceof StorageSettings.Sqlite sqlite ? sqlite.dataDir().resolve(name)
                : config.tokenFile().toAbsolutePath().resolveSibling(name);
    }

    public AdminToken token() {
        return token;
    }

    public Engine engine() {
        return engine;
    }

    /** Stops accepting, lets in-flight requests finish, drains the engine, closes storage. */
    @Override
    public void close() {
        if (dynamodb != null) {
            dynamodb.close();
        }
        channel.close().syncUninterruptibly();
        // Responses in flight were written before the channel closed; no quiet period needed.
        boss.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        work.close();
        engine.close();
        storage.close();
        audit.close();
        LOG.info("nimbus stopped");
    }
}
