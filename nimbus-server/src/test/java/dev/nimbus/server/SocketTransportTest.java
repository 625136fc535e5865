package dev.nimbus.server;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocketTransportTest {
    @Test
    void epollWhereItLoadsUnlessNioIsAskedFor() {
        assertThat(SocketTransport.choose(null)).isEqualTo(Epoll.isAvailable() ? SocketTransport.EPOLL : SocketTransport.NIO);
        assertThat(SocketTransport.choose(" ")).isEqualTo(SocketTransport.choose(null));
        assertThat(SocketTransport.choose("NIO")).isEqualTo(SocketTransport.NIO);
        assertThatThrownBy(() -> SocketTransport.choose("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SocketTransport.ENV);
    }

    @Test
    void onLinuxX8664TheNativeEpollLibraryShipsAndLoads() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (os.startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            assertThat(Epoll.isAvailable()).as("%s", Epoll.unavailabilityCause()).isTrue();
            assertThat(SocketTransport.choose("epoll")).isEqualTo(SocketTransport.EPOLL);
        }
    }
}
