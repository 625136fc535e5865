package dev.nimbus.server.auth;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local admin token: 32 random bytes minted on first boot into a JSON file
 * ({@code {"token", "generation", "rotated", "issued_at"}}, mode 0600 in a 0700 directory),
 * compared in constant time, rotatable (the generation goes up; the old token stops working).
 * {@code issued_at} (RFC 3339) says when the current generation was minted; a file written
 * before that key existed counts from its last-modified time.
 */
public final class AdminToken {
    private final Path file;
    private final Clock clock;
    private volatile String token;
    /** {@link #token} as UTF-8, for the comparison on every request. */
    private volatile byte[] tokenBytes;
    private volatile long generation;
    private volatile boolean rotated;
    private volatile Instant issuedAt;

    private AdminToken(Path file, Clock clock, String token, long generation, boolean rotated, Instant issuedAt) {
        this.file = file;
        this.clock = clock;
        this.token = token;
        this.tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        this.generation = generation;
        this.rotated = rotated;
        this.issuedAt = issuedAt;
    }

    /** The documented path: {@code $XDG_DATA_HOME/nimbus/auth/token}, else {@code ~/.local/share/...}. */
    public static Path defaultPath() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("nimbus").resolve("auth").resolve("token");
    }

    /** Loads the token file, minting it when missing. */
    public static AdminToken loadOrMint(Path file) {
        return loadOrMint(file, Clock.systemUTC());
    }

    /** Loads the token file, minting it when missing; {@code clock} dates mints and rotations. */
    public static AdminToken loadOrMint(Path file, Clock clock) {
        try {
            if (Files.exists(file)) {
                Value v = ValueJson.read(Files.readString(file));
                if (v instanceof Value.Obj o && o.get("token") instanceof Value.Str t
                        && o.get("generation") instanceof Value.Int64 g) {
                    boolean rotated = o.get("rotated") instanceof Value.Bool b && b.value();
                    return new AdminToken(file, clock, t.value(), g.value(), rotated, issuedAt(file, o));
                }
                throw new NimbusException(ErrorCode.INVALID_INPUT, "token file " + file
                        + " is not a Nimbus token file; move it away to mint a new token");
            }
            AdminToken minted = new AdminToken(file, clock, fresh(), 1, false, clock.instant());
            minted.save();
            return minted;
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot use token file " + file + ": " + e.getMessage());
        }
    }

    private static Instant issuedAt(Path file, Value.Obj o) throws IOException {
        if (o.get("issued_at") instanceof Value.Str s) {
            try {
                return Instant.parse(s.value());
            } catch (DateTimeParseException e) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "token file " + file
                        + " has an unreadable issued_at '" + s.value() + "'; rotate the token to rewrite it");
            }
        }
        return Files.getLastModifiedTime(file).toInstant();
    }

    private static String fresh() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Replaces the token; the previous one stops working at once. */
    public synchronized void rotate() {
        token = fresh();
        tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        generation++;
        rotated = true;
        issuedAt = clock.instant();
        try {
            save();
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot write token file: " + e.getMessage());
        }
    }

    private void save() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            // Only a directory we create is made private: never tighten or loosen one that
            // exists (a token file placed in /tmp must not change /tmp).
            Files.createDirectories(dir);
            setMode(dir, "rwx------");
        }
        Map<String, Value> body = new LinkedHashMap<>();
        body.put("token", Value.of(token));
        body.put("generation", Value.of(generation));
        body.put("rotated", Value.of(rotated));
        body.put("issued_at", Value.of(issuedAt.toString()));
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, ValueJson.write(new Value.Obj(body)) + "\n");
        setMode(tmp, "rw-------");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void setMode(Path p, String mode) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user profile directory is already private
        }
    }

    /** Constant-time comparison with the current token. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), tokenBytes);
    }

    public String value() {
        return token;
    }

    public long generation() {
        return generation;
    }

    /** Whether the token was ever rotated (the first-boot token never qualifies for a public bind). */
    public boolean rotatedAtLeastOnce() {
        return rotated;
    }

    public Path file() {
        return file;
    }

    /** When the current generation was minted (first boot or the last rotation). */
    public Instant issuedAt() {
        return issuedAt;
    }

    /** How long the current generation has been in use, by this token's clock. */
    public Duration age() {
        Duration d = Duration.between(issuedAt, clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
