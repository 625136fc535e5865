package dev.nimbus.runtime;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A tenant's active generation of code: the SHA-256 recorded at deploy, the manifest, and where
 * the bundle's bytes are read from. The bytes are read and re-hashed before every invocation, so
 * a bundle changed in the store after deploy is refused instead of run.
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
