package dev.nimbus.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Locale;

/**
 * The socket layer every listener runs on: Linux's epoll where Netty's native library loads
 * (fewer system calls and cheaper event-loop wake-ups per request than NIO's selector), NIO
 * elsewhere. {@code NIMBUS_NETTY_TRANSPORT=nio} forces NIO.
 */
public enum SocketTransport {
    EPOLL {
        @Override
        public IoHandlerFactory ioHandlers() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return EpollServerSocketChannel.class;
        }
    },
    NIO {
        @Override
        public IoHandlerFactory ioHandlers() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }
    };

    public static final String ENV = "NIMBUS_NETTY_TRANSPORT";

    /** Event-loop I/O handlers of this transport. */
    public abstract IoHandlerFactory ioHandlers();

    /** The listening-socket channel of this transport. */
    public abstract Class<? extends ServerChannel> serverChannel();

    /** Epoll when available and not turned off by {@value #ENV}; NIO otherwise. */
    public static SocketTransport choose(String setting) {
        if (setting != null && !setting.isBlank()) {
            return switch (setting.trim().toLowerCase(Locale.ROOT)) {
                case "nio" -> NIO;
                case "epoll" -> {
                    if (!Epoll.isAvailable()) {
                        throw new IllegalArgumentException(ENV + "=epoll, but epoll is not available here: "
                                + Epoll.unavailabilityCause());
                    }
                    yield EPOLL;
                }
                default -> throw new IllegalArgumentException(ENV + " is nio or epoll, got " + setting);
            };
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }
}
