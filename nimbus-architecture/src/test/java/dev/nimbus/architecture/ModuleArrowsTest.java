package dev.nimbus.architecture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Fails the build when a module depends on one it must not (ARCHITECTURE.md section 1). */
class ModuleArrowsTest {

    static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("nimbus-architecture")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the project root above " + here);
    }

    @Test
    void everyModuleDependsOnlyOnWhatTheDesignAllows() throws Exception {
        Path root = projectRoot();
        assertThat(ModuleArrows.modules(root)).extracting(ModuleArrows.Module::name)
                .contains("nimbus-core", "nimbus-storage");
        assertThat(ModuleArrows.violations(root)).isEmpty();
    }

    /** The checker sees both a forbidden pom dependency and a forbidden import. */
    @Test
    void reportsAStorageModuleThatUsesTheEngine(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("pom.xml"), """
                <project><artifactId>nimbus-parent</artifactId><packaging>pom</packaging>
                  <modules><module>nimbus-engine</module><module>nimbus-storage</module></modules></project>""");
        module(root, "nimbus-engine", "", "dev.nimbus.engine", "public class Engine {}");
        module(root, "nimbus-storage",
                "<dependency><groupId>dev.nimbus</groupId><artifactId>nimbus-engine</artifactId></dependency>",
                "dev.nimbus.storage", "import dev.nimbus.engine.Engine; public class Store { Engine e; }");
        List<String> violations = ModuleArrows.violations(root);
        assertThat(violations).hasSize(2);
        assertThat(violations.get(0)).contains("nimbus-storage/pom.xml depends on nimbus-engine");
        assertThat(violations.get(1)).contains("Store.java uses nimbus-engine");
    }

    @Test
    void adaptersMayNotUseEachOtherOrTheServer() {
        assertThat(ModuleArrows.allowed("nimbus-mongodb")).containsExactlyInAnyOrder("nimbus-core", "nimbus-engine");
        assertThat(ModuleArrows.allowed("nimbus-runtime")).containsExactly("nimbus-core");
        assertThat(ModuleArrows.allowed("nimbus-server")).doesNotContain("nimbus-cli");
    }

    private static void module(Path root, String name, String deps, String pkg, String body) throws Exception {
        Path dir = root.resolve(name);
        Path src = dir.resolve("src/main/java").resolve(pkg.replace('.', '/'));
        Files.createDirectories(src);
        Files.writeString(dir.resolve("pom.xml"),
                "<project><artifactId>" + name + "</artifactId><dependencies>" + deps + "</dependencies></project>");
        String cls = body.contains("class Engine") ? "Engine" : "Store";
        Files.writeString(src.resolve(cls + ".java"), "package " + pkg + ";\n" + body + "\n");
    }
}
