package dev.nimbus.storage;

/** A read-only, point-in-time view of one tenant. Holds resources until closed. */
public interface Snapshot extends StoreReader, AutoCloseable {
    @Override
    void close();
}
