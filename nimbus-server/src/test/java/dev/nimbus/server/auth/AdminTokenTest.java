package dev.nimbus.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class AdminTokenTest {
    @TempDir
    Path dir;

    @Test
    void aTokenInAnExistingDirectoryLeavesThatDirectoryAlone() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        AdminToken token = AdminToken.loadOrMint(shared.resolve("token"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxrwxrwx");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token.file()))).isEqualTo("rw-------");
    }

    @Test
    void aMintedTokenIsStableAcrossLoadsAndComparedExactly() {
        Path file = dir.resolve("nimbus/auth/token");
        AdminToken first = AdminToken.loadOrMint(file);
        AdminToken again = AdminToken.loadOrMint(file);
        assertThat(again.value()).isEqualTo(first.value()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(again.matches(first.value())).isTrue();
        assertThat(again.matches(first.value() + "x")).isFalse();
        assertThat(again.matches(null)).isFalse();
        assertThat(again.rotatedAtLeastOnce()).isFalse();
    }
}
