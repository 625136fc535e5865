package dev.nimbus.cli;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;

import java.util.concurrent.CountDownLatch;

/** Runs a server until SIGTERM/SIGINT, then stops admitting, drains and closes stores. */
final class ServerCommands {
    private ServerCommands() {
    }

    static int serve(ServerConfig config, dev.nimbus.server.control.ControlSettings control, Runnable afterStart)
            throws InterruptedException {
        NimbusServer server = NimbusServer.start(config, control);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "nimbus-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        afterStart.run();
        stopped.await();
        return 0;
    }
}
