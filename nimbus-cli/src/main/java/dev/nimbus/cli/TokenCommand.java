package dev.nimbus.cli;

import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code nimbus token rotate}: replaces the admin token, through the running server when there is one. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage the local admin token.",
        subcommands = TokenCommand.Rotate.class)
final class TokenCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("usage: nimbus token rotate");
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Rotate the admin token; the old one stops working. Goes through the running server"
                    + " (found by server.json in the control data dir) when there is one, else rewrites the token file.")
    static class Rotate implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Data directory of the server (env NIMBUS_DATA_DIR; default ./data).")
        String dataDir;

        @Option(names = "--control-data-dir", description = "Control data directory (default: the data dir).")
        String controlDataDir;

        @Option(names = "--config", description = "JSON config file (default: $NIMBUS_CONFIG).")
        Path config;

        @Option(names = "--token-file", hidden = true, description = "Token file to rotate when no server runs.")
        Path tokenFile;

        @Override
        public Integer call() {
            Map<String, String> env = System.getenv();
            Map<String, String> flags = new java.util.HashMap<>();
            if (dataDir != null) {
                flags.put("data-dir", dataDir);
            }
            if (controlDataDir != null) {
                flags.put("control-data-dir", controlDataDir);
            }
            Optional<Path> file = config != null ? Optional.of(config)
                    : Optional.ofNullable(env.get("NIMBUS_CONFIG")).filter(s -> !s.isBlank()).map(Path::of);
            Path control = PersistenceOptions.controlDataDir(flags, env, file);
            TokenRotation.Outcome o = TokenRotation.rotate(control,
                    tokenFile != null ? tokenFile : AdminToken.defaultPath(), System.out);
            if (o.live()) {
                System.out.println("rotated the admin token through the running server at " + o.address()
                        + " to generation " + o.generation() + " (" + o.tokenFile() + ")");
            } else {
                System.out.println("no running server for " + control.toAbsolutePath() + "; rotated the token file"
                        + " offline to generation " + o.generation() + " (" + o.tokenFile() + ")");
            }
            return 0;
        }
    }
}
