package dev.nimbus.server;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.server.api.NativeApi;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.auth.PublicBindGate;
import dev.nimbus.server.control.ControlPlane;
import dev.nimbus.server.control.ControlSettings;
import dev.nimbus.server.control.ServerDiscovery;
import dev.nimbus.server.control.ServerVersion;
import dev.nimbus.server.control.SystemRoutes;
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
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server: every component constructed and connected here, in one readable place. Storage
 * (SQLite under the data dir by default, or PostgreSQL / MySQL) → engine → routes → one Netty pipeline per connection:
 * {@code HttpServerCodec → BodyLimit → HttpApiHandler} (a {@code GET /ws} upgrade becomes
 * {@code WebSocket codec → NimbusV2Session}). Event loops do I/O and memory-only public routes;
 * other routes run on virtual threads, writes answering from the commit future.
 */
public final class NimbusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NimbusServer.class);

    private final StorageProvider storage;
    private final Engine engine;
    private final dev.nimbus.server.functions.FunctionService functions;
    private final AdminToken token;
    private final dev.nimbus.server.auth.AccessAudit audit;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService work;
    private final Channel channel;
    private final int port;
    private final ControlPlane control;
    private final ServerDiscovery discovery;
    private final dev.nimbus.server.dynamodb.DynamoDbListener dynamodb;

    private NimbusServer(ServerConfig config, ControlSettings controlSettings) throws InterruptedException {
        this.token = AdminToken.loadOrMint(config.tokenFile(), controlSettings.clock());
        List<String> warnings = PublicBindGate.check(config.host(), config.loopback(), config.allowNetwork(), token);
        warnings.forEach(w -> LOG.warn("{}", w));
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
        // The control plane before tenant storage: a second server on the same dirs fails fast with busy.
        this.control = openControlPlane(controlSettings, audit);
        this.storage = openStorage(config, control, audit);
        this.engine = new Engine(storage, EngineLimits.fromEnvironment());
        this.work = Executors.newVirtualThreadPerTaskExecutor();
        dev.nimbus.server.metrics.ServerMetrics metrics = new dev.nimbus.server.metrics.ServerMetrics(engine);
        SystemRoutes system = new SystemRoutes(token, control, warnings);
        dev.nimbus.server.api.TenantDirectory tenantDirectory = control.attach(engine, config.storage().kind());
        try {
            this.dynamodb = config.dynamodb().enabled() ? new dev.nimbus.server.dynamodb.DynamoDbListener(engine,
                    config.dynamodb(), wireCredentialsFile(config), java.time.Clock.systemUTC()) : null;
        } catch (RuntimeException e) {
            // A bad DynamoDB configuration serves nothing: give back the engine and the data dir lock.
            work.close();
            engine.close();
            storage.close();
            control.close();
            audit.close();
            throw e;
        }
        this.functions = new dev.nimbus.server.functions.FunctionService(engine,
                dev.nimbus.server.functions.FunctionSettings.fromEnvironment());
        Router router = new dev.nimbus.server.functions.FunctionsApi(engine, functions, token).routes(
                        new NativeApi(engine, tenantDirectory).routes(new Router()))
                .add("GET", "/metrics", Router.Access.ADMIN, q -> dev.nimbus.server.http.ApiResponse.text(metrics.scrape()));
        system.routes(router);
        if (dynamodb != null) {
            dynamodb.routes(router);
        }
        WebSocketGate webSockets = new WebSocketGate(engine, tenantDirectory, config.wsHelloTimeoutMillis(), audit,
                functions);
        SocketTransport transport = SocketTransport.choose(System.getenv(SocketTransport.ENV));
        LOG.info("socket transport: {}", transport.name().toLowerCase(java.util.Locale.ROOT));
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers());
        this.workers = new MultiThreadIoEventLoopGroup(transport.ioHandlers());
        int[] boundPort = new int[1];
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
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
                    dynamodb.bind(boss, workers, transport.serverChannel(), work, config.allowNetwork());
                } catch (RuntimeException e) {
                    bound.close().syncUninterruptibly();
                    throw e;
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            // Nothing is served: give back the port's threads, the engine and the data dir lock.
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            functions.close();
            if (dynamodb != null) {
                dynamodb.close();
            }
            engine.close();
            storage.close();
            control.close();
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
        this.discovery = announce(config, controlSettings, port, sslContext != null);
        system.listening(discovery);
        LOG.info("nimbus listening on {}://{}:{}", sslContext != null ? "https" : "http",
                config.host().contains(":") ? "[" + config.host() + "]" : config.host(), port);
    }

    /** Locks the control data dir and opens nimbus-control.db; on failure nothing stays open. */
    private static ControlPlane openControlPlane(ControlSettings settings, dev.nimbus.server.auth.AccessAudit audit) {
        try {
            return ControlPlane.open(settings);
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
    }

    /** Opens tenant storage; on failure gives back the control data dir lock and the audit log. */
    private static StorageProvider openStorage(ServerConfig config, ControlPlane control,
                                               dev.nimbus.server.auth.AccessAudit audit) {
        try {
            return config.storage().open();
        } catch (RuntimeException e) {
            control.close();
            audit.close();
            throw e;
        }
    }

    /** Writes server.json (0600) into the control data dir so local tools find this server. */
    private static ServerDiscovery announce(ServerConfig config, ControlSettings settings, int port, boolean tls) {
        ServerDiscovery record = new ServerDiscovery(ServerDiscovery.localAddress(config.host(), port, tls),
                ProcessHandle.current().pid(), config.tokenFile().toAbsolutePath(), settings.clock().instant(),
                settings.controlDataDir().toAbsolutePath(), config.storage().kind(), ServerVersion.CURRENT);
        record.write();
        return record;
    }

    /** Starts with the documented control plane defaults (the control data dir is the data dir). */
    public static NimbusServer start(ServerConfig config) {
        return start(config, ControlSettings.defaultsFor(config));
    }

    public static NimbusServer start(ServerConfig config, ControlSettings control) {
        try {
            return new NimbusServer(config, control);
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

    /** The control plane: tenant registry (create tenants through it) and usage. */
    public ControlPlane control() {
        return control;
    }

    /** Deployed functions: the runtime, deployments and scheduled functions. */
    public dev.nimbus.server.functions.FunctionService functions() {
        return functions;
    }

    /** Stops accepting, lets in-flight requests finish, drains the engine, closes storage. */
    @Override
    public void close() {
        discovery.remove();
        if (dynamodb != null) {
            dynamodb.close();
        }
        channel.close().syncUninterruptibly();
        // Responses in flight were written before the channel closed; no quiet period needed.
        boss.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        work.close();
        functions.close();
        engine.close();
        storage.close();
        control.close();
        audit.close();
        LOG.info("nimbus stopped");
    }
}
