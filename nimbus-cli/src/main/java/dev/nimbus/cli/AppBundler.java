package dev.nimbus.cli;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a deployable bundle from an app folder: the ES modules under its source root
 * ({@code nimbus/} if present, else {@code convex/}, else the folder itself), by relative path.
 * {@code .js}/{@code .mjs} files are taken as they are; {@code .ts} files are transpiled one by
 * one with the app's own esbuild ({@code node_modules/.bin/esbuild}), as a Convex app has it.
 * {@code _generated/}, {@code node_modules/}, dot folders and {@code *.d.ts} are skipped: the
 * runtime provides {@code ./_generated/server} and {@code ./_generated/api} itself.
 */
final class AppBundler {
    static final long ESBUILD_TIMEOUT_SECONDS = 60;
    static final int FILES_MAX = 1024;

    private AppBundler() {
    }

    /** The folder whose files become modules. */
    static Path sourceRoot(Path app) {
        for (String candidate : List.of("nimbus", "convex")) {
            if (Files.isDirectory(app.resolve(candidate))) {
                return app.resolve(candidate);
            }
        }
        return app;
    }

    /** Module path → JavaScript source. */
    static Map<String, String> build(Path app) throws IOException {
        Path root = sourceRoot(app);
        if (!Files.isDirectory(root)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, app + " is not a folder");
        }
        Map<String, String> modules = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(p -> included(root.relativize(p))).limit(FILES_MAX + 1).toList();
        }
        if (files.size() > FILES_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "more than " + FILES_MAX + " source files under " + root);
        }
        for (Path file : files) {
            String rel = root.relativize(file).toString().replace('\\', '/');
            if (rel.endsWith(".ts") || rel.endsWith(".mts")) {
                modules.put(rel.replaceFirst("\\.m?ts$", ".js"), transpile(app, file));
            } else {
                modules.put(rel, Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        if (modules.isEmpty()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "no .js, .mjs or .ts files under " + root);
        }
        return modules;
    }

    private static boolean included(Path rel) {
        for (Path part : rel) {
            String s = part.toString();
            if (s.startsWith(".") || s.equals("node_modules") || s.equals("_generated")) {
                return false;
            }
        }
        String name = rel.getFileName().toString();
        if (name.endsWith(".d.ts") || name.equals("schema.ts") || name.equals("schema.js")
                || name.startsWith("auth.config.")) {
            return false;
        }
        return name.endsWith(".js") || name.endsWith(".mjs") || name.endsWith(".ts") || name.endsWith(".mts");
    }

    /** Type-strips one TypeScript file with the app's esbuild (no bundling: modules stay modules). */
    private static String transpile(Path app, Path file) throws IOException {
        Path esbuild = findEsbuild(app);
        if (esbuild == null) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, file + " is TypeScript: install esbuild in the app "
                    + "(npm install --save-dev esbuild) or deploy plain .js modules");
        }
        Process p = new ProcessBuilder(esbuild.toString(), file.toString(), "--format=esm", "--loader:.ts=ts",
                "--log-level=error").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(ESBUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NimbusException(ErrorCode.INVALID_INPUT, "esbuild did not finish within "
                        + ESBUILD_TIMEOUT_SECONDS + " s on " + file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while running esbuild");
        }
        if (p.exitValue() != 0) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "esbuild failed on " + file + ":\n" + err.strip());
        }
        return out;
    }

    private static Path findEsbuild(Path app) {
        List<Path> candidates = new ArrayList<>();
        for (Path dir = app.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve("node_modules/.bin/esbuild"));
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }
}
