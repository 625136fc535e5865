package dev.nimbus.cli;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.control.ServerDiscovery;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Rotates the admin token the way {@code nimbus token rotate} documents: through the running
 * server when its discovery record ({@code server.json} in the control data dir) names a live
 * process (the server switches tokens in memory and rewrites the token file), else offline on
 * the token file (a server started later reads the new one).
 */
final class TokenRotation {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** What happened, for the message and the exit code. */
    record Outcome(boolean live, long generation, Path tokenFile, String address) {
    }

    /** The rotation was refused (the running server rejected the token, or answered with an error). */
    static final class RotationException extends RuntimeException {
        RotationException(String message) {
            super(message);
        }
    }

    private TokenRotation() {
    }

    /**
     * @param controlDataDir where to look for server.json
     * @param offlineTokenFile the token file to rotate when no server runs
     */
    static Outcome rotate(Path controlDataDir, Path offlineTokenFile, PrintStream out) {
        Optional<ServerDiscovery> record = readRecord(controlDataDir, out);
        if (record.isPresent()) {
            ServerDiscovery r = record.get();
            if (!r.processAlive()) {
                out.println("ignoring a stale " + ServerDiscovery.FILE + " (pid " + r.pid() + " is not running)");
                deleteQuietly(controlDataDir.resolve(ServerDiscovery.FILE));
            } else {
                Optional<Outcome> live = rotateLive(r, out);
                if (live.isPresent()) {
                    return live.get();
                }
            }
        }
        AdminToken token = AdminToken.loadOrMint(offlineTokenFile);
        token.rotate();
        return new Outcome(false, token.generation(), token.file(), null);
    }

    private static Optional<ServerDiscovery> readRecord(Path controlDataDir, PrintStream out) {
        try {
            return ServerDiscovery.read(controlDataDir);
        } catch (IOException | RuntimeException e) {
            out.println("ignoring an unreadable " + controlDataDir.resolve(ServerDiscovery.FILE) + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Empty when the server did not answer at all (then the file is rotated offline). */
    private static Optional<Outcome> rotateLive(ServerDiscovery r, PrintStream out) {
        String current = AdminToken.loadOrMint(r.tokenFile()).value();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(REQUEST_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(r.address() + "/api/system/token/rotate"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + current)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            out.println("the server in " + ServerDiscovery.FILE + " (" + r.address() + ", pid " + r.pid()
                    + ") does not answer; rotating the token file offline");
            return Optional.empty();
        } catch (IOException e) {
            throw new RotationException("cannot reach the running server at " + r.address() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RotationException("interrupted while rotating through " + r.address());
        }
        if (response.statusCode() != 200) {
            throw new RotationException("the running server at " + r.address() + " refused the rotation (HTTP "
                    + response.statusCode() + "): " + errorMessage(response.body()));
        }
        long generation = ValueJson.read(response.body()) instanceof Value.Obj o
                && o.get("generation") instanceof Value.Int64 g ? g.value() : -1;
        return Optional.of(new Outcome(true, generation, r.tokenFile(), r.address()));
    }

    private static String errorMessage(String body) {
        try {
            if (ValueJson.read(body) instanceof Value.Obj o && o.get("error") instanceof Value.Obj e
                    && e.get("code") instanceof Value.Str code && e.get("message") instanceof Value.Str m) {
                return code.value() + ": " + m.value();
            }
        } catch (RuntimeException notJson) {
            // fall through to the raw body
        }
        return body;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stale record is harmless: readers check the pid
        }
    }
}
