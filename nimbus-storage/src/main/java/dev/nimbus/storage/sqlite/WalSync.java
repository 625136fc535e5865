package dev.nimbus.storage.sqlite;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes a tenant's commits durable: an fdatasync of its WAL file, which holds every frame that
 * a {@code synchronous=NORMAL} COMMIT wrote. One sync covers every commit counted before it
 * started, so commits that pile up while the disk is busy share the next one (group sync).
 * This is the durability SQLite's {@code synchronous=FULL} gives a WAL database (an fsync of
 * the WAL per commit), moved off the writer so it can prepare the next transaction meanwhile.
 */
final class WalSync implements AutoCloseable {
    private final Path wal;
    private final Object syncLock = new Object();
    private volatile long committed;
    private long synced; // guarded by syncLock
    private FileChannel channel; // guarded by syncLock; opened on first use

    WalSync(Path databaseFile) {
        this.wal = databaseFile.resolveSibling(databaseFile.getFileName() + "-wal");
    }

    /** Counts a commit whose frames are written; returns its number for {@link #syncThrough}. */
    long committed() {
        return ++committed; // only the writer-permit holder commits
    }

    /** Returns once commit number {@code commit} (and every earlier one) is on stable storage. */
    void syncThrough(long commit) {
        synchronized (syncLock) {
            if (synced >= commit) {
                return;
            }
            long target = committed; // every commit counted so far has written its frames
            try {
                if (channel == null) {
                    channel = FileChannel.open(wal, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new NimbusException(ErrorCode.STORAGE_IO,
                        "sqlite storage error [io]: could not make the write-ahead log durable: " + e.getMessage());
            }
            synced = target;
        }
    }

    @Override
    public void close() {
        synchronized (syncLock) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                channel = null;
            }
        }
    }
}
