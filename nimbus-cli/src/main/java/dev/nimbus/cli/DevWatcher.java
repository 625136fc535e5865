package dev.nimbus.cli;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * {@code nimbus dev --app-dir}: watches the app's source root (recursively, new folders
 * included) and calls {@code onChange} once per burst of changes, after {@link #QUIET_MILLIS}
 * without further events, so an editor's save-and-rename counts once.
 */
final class DevWatcher implements AutoCloseable {
    static final long QUIET_MILLIS = 300;

    private final Path root;
    private final Runnable onChange;
    private final WatchService watcher;
    private final Thread thread;

    DevWatcher(Path root, Runnable onChange) throws IOException {
        this.root = root;
        this.onChange = onChange;
        this.watcher = FileSystems.getDefault().newWatchService();
        registerTree(root);
        this.thread = Thread.ofPlatform().name("nimbus-dev-watch").daemon(true).start(this::loop);
    }

    private void registerTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                String name = d.getFileName() == null ? "" : d.getFileName().toString();
                if (!d.equals(root) && (name.startsWith(".") || name.equals("node_modules") || name.equals("_generated"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                drain(key);
                // Debounce: wait until the folder has been quiet for a while.
                WatchKey more;
                while ((more = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                onChange.run();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // stopping
        }
    }

    private void drain(WatchKey key) {
        Path dir = (Path) key.watchable();
        key.pollEvents().forEach(e -> {
            if (e.context() instanceof Path p && Files.isDirectory(dir.resolve(p))) {
                try {
                    registerTree(dir.resolve(p));
                } catch (IOException ignored) {
                    // a folder that vanished again
                }
            }
        });
        key.reset();
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
    }
}
