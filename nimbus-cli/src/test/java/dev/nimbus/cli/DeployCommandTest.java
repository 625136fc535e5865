package dev.nimbus.cli;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nimbus deploy} against a real server, and the dev watcher's debounce. */
class DeployCommandTest {
    @TempDir
    Path dir;

    @Test
    void deployBuildsTheSourceRootAndPushesIt() throws Exception {
        Path app = dir.resolve("app");
        Files.createDirectories(app.resolve("convex/_generated"));
        Files.createDirectories(app.resolve("convex/lib"));
        Files.writeString(app.resolve("convex/messages.js"), """
                import { query } from "./_generated/server";
                import { greet } from "./lib/greet";
                export const hello = query(async (ctx, { name }) => greet(name));
                """);
        Files.writeString(app.resolve("convex/lib/greet.js"), "export const greet = (n) => `hello ${n}`;\n");
        Files.writeString(app.resolve("convex/_generated/server.js"), "import 'convex/server'; // codegen output, skipped\n");
        System.setProperty("NIMBUS_DEPLOY_TOKEN", "cli-deploy-token-0123456789");
        try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), dir.resolve("token"))
                .withPort(0))) {
            System.clearProperty("NIMBUS_DEPLOY_TOKEN");
            TenantId acme = TenantId.of("acme");
            server.engine().createTenant(acme);
            String url = "http://127.0.0.1:" + server.port();
            assertThat(Nimbus.run("deploy", app.toString(), "--url", url, "--token", "wrong-token-0123456789",
                    "--admin-token", server.token().value(), "--tenant", "acme")).isEqualTo(1);
            assertThat(Nimbus.run("deploy", app.toString(), "--url", url, "--token", "cli-deploy-token-0123456789",
                    "--admin-token", server.token().value(), "--tenant", "acme")).isZero();
            Value result = server.functions().call(acme, Principal.ADMIN, "messages:hello", FunctionKind.QUERY,
                    new Value.Obj(java.util.Map.of("name", Value.of("ann")))).value();
            assertThat(result).isEqualTo(Value.of("hello ann"));
        } finally {
            System.clearProperty("NIMBUS_DEPLOY_TOKEN");
        }
    }

    @Test
    void typeScriptWithoutEsbuildGetsAClearError() throws Exception {
        Path app = dir.resolve("ts");
        Files.createDirectories(app.resolve("convex"));
        Files.writeString(app.resolve("convex/a.ts"), "export const x: number = 1;\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppBundler.build(app))
                .hasMessageContaining("install esbuild");
    }

    @Test
    void theDevWatcherFiresOncePerBurstOfChanges() throws Exception {
        Path root = dir.resolve("watched");
        Files.createDirectories(root);
        AtomicInteger changes = new AtomicInteger();
        try (DevWatcher w = new DevWatcher(root, changes::incrementAndGet)) {
            for (int i = 0; i < 3; i++) {
                Files.writeString(root.resolve("m" + i + ".js"), "export const v = " + i + ";\n");
            }
            for (int i = 0; i < 100 && changes.get() == 0; i++) {
                Thread.sleep(100);
            }
            Thread.sleep(DevWatcher.QUIET_MILLIS * 2);
            assertThat(changes.get()).isEqualTo(1);
        }
    }
}
