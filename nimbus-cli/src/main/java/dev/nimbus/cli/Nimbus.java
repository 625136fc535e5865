package dev.nimbus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nimbus} executable. An explicit subcommand is required. */
@Command(name = "nimbus", mixinStandardHelpOptions = true, version = "nimbus " + dev.nimbus.server.control.ServerVersion.CURRENT + " (JVM)",
        description = "A reactive document backend in one executable.",
        subcommands = {StartCommand.class, DevCommand.class, DeployCommand.class, TokenCommand.class, AuthCommand.class,
            VerifyCommand.class, DynamoDbCommand.class})
public final class Nimbus implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (start, dev, deploy, token, auth, verify)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new Nimbus())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("nimbus: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
