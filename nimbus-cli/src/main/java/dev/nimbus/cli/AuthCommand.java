package dev.nimbus.cli;

import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code nimbus auth token | rotate-admin}. */
@Command(name = "auth", mixinStandardHelpOptions = true, description = "Local admin credentials.",
        subcommands = {AuthCommand.Token.class, AuthCommand.RotateAdmin.class})
final class AuthCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("usage: nimbus auth token | rotate-admin");
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Print the admin token.")
    static final class Token implements Callable<Integer> {
        @Option(names = "--token-file", hidden = true)
        Path tokenFile;

        @Override
        public Integer call() {
            System.out.println(AdminToken.loadOrMint(tokenFile != null ? tokenFile : AdminToken.defaultPath()).value());
            return 0;
        }
    }

    @Command(name = "rotate-admin", mixinStandardHelpOptions = true,
            description = "Rotate the admin token (same as 'nimbus token rotate': through the running server"
                    + " when there is one, else offline on the token file).")
    static final class RotateAdmin extends TokenCommand.Rotate {
    }
}
