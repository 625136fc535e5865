package dev.nimbus.cli;

import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code nimbus token rotate}: replaces the admin token (offline, on the token file). */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage the local admin token.",
        subcommands = TokenCommand.Rotate.class)
final class TokenCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("usage: nimbus token rotate");
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Rotate the admin token; the old one stops working (a running server reads it at start).")
    static class Rotate implements Callable<Integer> {
        @Option(names = "--token-file", hidden = true)
        Path tokenFile;

        @Override
        public Integer call() {
            AdminToken token = AdminToken.loadOrMint(tokenFile != null ? tokenFile : AdminToken.defaultPath());
            token.rotate();
            System.out.println("rotated the admin token to generation " + token.generation() + " (" + token.file() + ")");
            return 0;
        }
    }
}
