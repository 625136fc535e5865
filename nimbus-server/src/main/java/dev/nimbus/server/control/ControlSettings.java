package dev.nimbus.server.control;

import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.StorageSettings;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Where the control plane lives and which clock dates its records.
 *
 * @param controlDataDir {@code --control-data-dir}: holds {@code nimbus-control.db} and {@code server.json}
 * @param clock          dates registry rows, usage, token issues and ages (tests move it)
 */
public record ControlSettings(Path controlDataDir, Clock clock) {
    /** Nimbus's default data dir, also the control data dir when neither is given. */
    public static final Path DATA_DIR_DEFAULT = Path.of("data");

    public ControlSettings {
        Objects.requireNonNull(controlDataDir, "controlDataDir");
        Objects.requireNonNull(clock, "clock");
    }

    /** The documented default: the control data dir is the data dir (for SQLite, the tenants' dir). */
    public static ControlSettings defaultsFor(ServerConfig config) {
        Path dir = config.storage() instanceof StorageSettings.Sqlite s ? s.dataDir() : DATA_DIR_DEFAULT;
        return new ControlSettings(dir, Clock.systemUTC());
    }

    public ControlSettings withClock(Clock c) {
        return new ControlSettings(controlDataDir, c);
    }
}
