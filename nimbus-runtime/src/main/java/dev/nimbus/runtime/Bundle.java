package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A deployed app's code: ES modules by relative path ({@code messages.js}, {@code lib/util.js}).
 * Its identity is the SHA-256 of a canonical encoding (paths sorted; each path and source
 * length-prefixed), computed at deploy and re-checked before every invocation so bytes changed
 * after deploy are refused ({@link #verify}).
 */
public record Bundle(Map<String, String> modules) {
    public static final int MODULES_MAX = 1024;
    public static final int BYTES_MAX = 32 * 1024 * 1024;
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_$@.-]+(/[A-Za-z0-9_$@.-]+)*\\.(m?js)");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public Bundle {
        if (modules.isEmpty()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a bundle needs at least one module");
        }
        if (modules.size() > MODULES_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a bundle holds at most " + MODULES_MAX + " modules");
        }
        long bytes = 0;
        for (Map.Entry<String, String> e : modules.entrySet()) {
            if (!PATH.matcher(e.getKey()).matches() || e.getKey().contains("..")) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "invalid module path '" + e.getKey()
                        + "': use a relative path of letters, digits, '_', '-', '.', '/' ending in .js or .mjs");
            }
            bytes += e.getValue().length();
        }
        if (bytes > BYTES_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a bundle holds at most " + BYTES_MAX + " bytes of source");
        }
        modules = Map.copyOf(new TreeMap<>(modules));
    }

    /** The 64-hex lowercase SHA-256 of this bundle's canonical encoding. */
    public String sha256() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(modules).entrySet()) {
            update(md, e.getKey().getBytes(StandardCharsets.UTF_8));
            update(md, e.getValue().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void update(MessageDigest md, byte[] bytes) {
        md.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) ':');
        md.update(bytes);
    }

    /** Normalises an expected hash: 64 hex digits, any case; anything else is a contract error. */
    public static String normaliseSha256(String expected) {
        if (isLowerHex64(expected)) {
            return expected; // already normal (every call re-checks its deployment's hash)
        }
        String s = expected == null ? "" : expected.trim().toLowerCase(java.util.Locale.ROOT);
        if (!SHA256.matcher(s).matches()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a bundle SHA-256 is 64 hex digits");
        }
        return s;
    }

    private static boolean isLowerHex64(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Throws {@code service.storage_corruption} unless this bundle hashes to {@code expected}. */
    public void verify(String expected) {
        String actual = sha256();
        if (!actual.equals(normaliseSha256(expected))) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "runtime bundle integrity check failed: the "
                    + "deployed bundle's SHA-256 was " + expected + " but its stored bytes now hash to " + actual
                    + "; the bundle was changed after deploy, redeploy it",
                    Map.of("expectedSha256", Value.of(expected), "actualSha256", Value.of(actual)));
        }
    }
}
