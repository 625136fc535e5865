package dev.nimbus.runtime;

import org.graalvm.polyglot.io.FileSystem;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The only files a function's context can see: its bundle's modules under a virtual root, plus the
 * built-in modules an app imports its constructors from ({@code ./_generated/server},
 * {@code convex/server}, ...). Read-only; nothing of the host file system is reachable.
 */
final class BundleFileSystem implements FileSystem {
    static final String ROOT = "/bundle/";
    /** Module names (without extension) served by the runtime itself. */
    private static final List<String> BUILTINS = List.of("_generated/server", "_generated/api", "convex/server",
            "convex/values", "nimbus/server", "nimbus/values", "convex/_generated/server", "convex/_generated/api");
    private static final String BUILTIN_SOURCE = """
            const s = globalThis.__nimbusServer;
            export const query = s.query, internalQuery = s.internalQuery, mutation = s.mutation,
              internalMutation = s.internalMutation, action = s.action, internalAction = s.internalAction,
              httpAction = s.httpAction, api = s.api, internal = s.internal, v = s.v,
              defineSchema = s.defineSchema, defineTable = s.defineTable,
              makeFunctionReference = s.makeFunctionReference;
            """;

    private final Map<String, byte[]> files = new HashMap<>();

    BundleFileSystem(Bundle bundle) {
        bundle.modules().forEach((path, source) -> files.put(ROOT + path, source.getBytes(StandardCharsets.UTF_8)));
    }

    private byte[] lookup(Path path) {
        String p = path.normalize().toString().replace('\\', '/');
        byte[] direct = files.get(p);
        if (direct != null) {
            return direct;
        }
        for (String ext : List.of(".js", ".mjs")) {
            byte[] b = files.get(p + ext);
            if (b != null) {
                return b;
            }
        }
        String bare = p.replaceFirst("\\.(m?js|ts)$", "");
        for (String builtin : BUILTINS) {
            if (bare.endsWith("/" + builtin) || bare.equals(builtin)) {
                return BUILTIN_SOURCE.getBytes(StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public Path parsePath(URI uri) {
        return Path.of(uri.getPath());
    }

    @Override
    public Path parsePath(String path) {
        return Path.of(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        if (modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) {
            throw new IOException("the bundle is read-only");
        }
        if (lookup(path) == null && !isDirectory(path)) {
            throw new NoSuchFileException(path.toString());
        }
    }

    private boolean isDirectory(Path path) {
        String p = path.normalize().toString();
        String dir = p.endsWith("/") ? p : p + "/";
        return files.keySet().stream().anyMatch(f -> f.startsWith(dir));
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        throw new IOException("the bundle is read-only");
    }

    @Override
    public void delete(Path path) throws IOException {
        throw new IOException("the bundle is read-only");
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        byte[] bytes = lookup(path);
        if (bytes == null) {
            throw new NoSuchFileException(path.toString(), null, "no such module in the deployed bundle");
        }
        return new ReadOnlyChannel(bytes);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        throw new IOException("listing the bundle is not supported");
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return path.isAbsolute() ? path : Path.of(ROOT).resolve(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) {
        return toAbsolutePath(path).normalize();
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        byte[] bytes = lookup(path);
        if (bytes == null && !isDirectory(path)) {
            throw new NoSuchFileException(path.toString());
        }
        Map<String, Object> a = new HashMap<>();
        a.put("isRegularFile", bytes != null);
        a.put("isDirectory", bytes == null);
        a.put("isSymbolicLink", false);
        a.put("isOther", false);
        a.put("size", bytes == null ? 0L : (long) bytes.length);
        return a;
    }

    /** A read-only channel over a module's bytes. */
    private static final class ReadOnlyChannel implements SeekableByteChannel {
        private final byte[] bytes;
        private int position;
        private boolean open = true;

        ReadOnlyChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) Math.min(newPosition, bytes.length);
            return this;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
