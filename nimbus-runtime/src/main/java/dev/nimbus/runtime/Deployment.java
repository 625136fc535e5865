package dev.nimbus.runtime;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A tenant's active generation of code: the SHA-256 recorded at deploy, the manifest, and where
 * the bundle's bytes are read from. The runtime takes the bytes from {@code source} before every
 * invocation and hashes every {@link Bundle} instance it has not hashed before, so a bundle
 * changed in the store after deploy is refused instead of run (a source may hand back the same
 * instance while it knows the stored bytes unchanged).
 *
 * @param generation process-local counter, +1 per activation
 */
public record Deployment(long generation, String sha256, Manifest manifest, Supplier<Bundle> source) {
    public Deployment {
        sha256 = Bundle.normaliseSha256(sha256);
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(source, "source");
    }
}
