package dev.nimbus.server.control;

/** This build's version, as the CLI's {@code --version} and {@code /api/system/version-info} report it. */
public final class ServerVersion {
    public static final String CURRENT = "0.1.0";

    private ServerVersion() {
    }
}
