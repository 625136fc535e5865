package dev.nimbus.bench;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket fan-out (issue F3, benchmark c): {@code subscribers} nimbus.v2 connections subscribed
 * to one query; one write; the time until every subscriber has the new result. Baseline, same
 * run: a raw Netty WebSocket server broadcasting one pre-encoded frame of the same size to the
 * same number of connections. Goal: Nimbus within 2× of raw (≥ 50 %). The clients (the JDK
 * WebSocket client) run in a separate JVM, {@link FanOutClients}, so that each side has the
 * process's open-file limit to itself. Arguments: {@code --subscribers=2000}, {@code --rounds=3}.
 */
public final class FanOutBench {
    public static void main(String[] args) throws Exception {
        int subscribers = 2_000;
        int rounds = 3;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "subscribers" -> subscribers = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Path root = Files.createTempDirectory(CommitThroughputBench.Settings.moduleTarget(), "fanout-");
        try (FanOutClients.Process clients = FanOutClients.Process.start()) {
            List<Double> nimbus = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            int frameBytes = 16;
            try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(root.resolve("data"), root.resolve("token"))
                    .withPort(0))) {
                TenantId tenant = TenantId.of("bench");
                server.engine().createTenant(tenant);
                clients.ask("nimbus " + server.port() + " " + server.token().value() + " " + subscribers);
                for (int round = 0; round < rounds; round++) {
                    clients.ask("arm " + subscribers);
                    long start = System.nanoTime();
                    server.engine().mutate(tenant, Principal.ADMIN, new Mutation.Insert(TableName.of("items"),
                            Optional.empty(), new Value.Obj(Map.of("n", Value.of((long) round), "name", Value.of("x".repeat(100))))));
                    String[] done = clients.ask("await").split(" ");
                    nimbus.add((Long.parseLong(done[1]) - start) / 1e6);
                    frameBytes = Math.max(frameBytes, Integer.parseInt(done[2]));
                }
                clients.ask("close");
            }
            for (int round = 0; round < rounds; round++) {
                raw.add(rawBroadcast(clients, subscribers, frameBytes));
            }
            double n = EngineInsertBench.median(nimbus);
            double r = EngineInsertBench.median(raw);
            System.out.printf(Locale.ROOT, """
                    ### WebSocket fan-out: one write, %,d subscribers of one query (ms until all received)

                    | side | median ms | rounds |
                    |---|---:|---|
                    | Nimbus nimbus.v2 (write → re-evaluate → deliver) | %.1f | %s |
                    | raw Netty broadcast of one %d-byte frame | %.1f | %s |

                    raw / Nimbus = **%.2f** (goal ≥ 0.50). Clients in a separate JVM.
                    """, subscribers, n, EngineInsertBench.list(nimbus), frameBytes, r, EngineInsertBench.list(raw), r / n);
        } finally {
            EngineInsertBench.deleteTree(root);
        }
    }

    /** Broadcasts one pre-encoded frame to {@code n} WebSocket connections; ms until all received. */
    static double rawBroadcast(FanOutClients.Process clients, int n, int frameBytes) throws Exception {
        // The same socket transport as the server's listeners, so that only the serving differs.
        dev.nimbus.server.SocketTransport transport = dev.nimbus.server.SocketTransport.choose(
                System.getenv(dev.nimbus.server.SocketTransport.ENV));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlers());
        ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        CountDownLatch connected = new CountDownLatch(n);
        try {
            Channel server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketServerProtocolHandler("/ws"),
                                    new SimpleChannelInboundHandler<WebSocketFrame>() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt instanceof HandshakeComplete) {
                                                channels.add(ctx.channel());
                                                connected.countDown();
                                            }
                                        }

                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
                                        }
                                    });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            clients.ask("raw " + port + " " + n);
            if (!connected.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw connections did not complete");
            }
            clients.ask("arm " + n);
            String payload = "x".repeat(frameBytes);
            long start = System.nanoTime();
            channels.writeAndFlush(new TextWebSocketFrame(payload));
            double ms = (Long.parseLong(clients.ask("await").split(" ")[1]) - start) / 1e6;
            clients.ask("close");
            server.close().sync();
            return ms;
        } finally {
            channels.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
