package dev.nimbus.storage;

/**
 * Limits every provider enforces, with their reasons. Changing one is a documented,
 * user-visible change (docs/storage-format.md, "Limits").
 */
public final class StorageLimits {
    private StorageLimits() {
    }

    /**
     * Largest encoded document body (canonical JSON, UTF-8). MongoDB's 16 MiB BSON limit is the
     * largest of the dialects we serve, so every dialect's documents fit.
     */
    public static final int DOCUMENT_BYTES_MAX = 16 * 1024 * 1024;

    /** Largest index key; keeps index rows small and within MySQL's key-length limits. */
    public static final int INDEX_KEY_BYTES_MAX = 2048;

    /** Most rows one scan call returns; callers page with {@code after}. */
    public static final int SCAN_LIMIT_MAX = 10_000;

    /** How long {@code beginWrite} waits for the tenant's writer before {@code storage_busy}. */
    public static final long WRITER_WAIT_MILLIS = 5_000;
}
