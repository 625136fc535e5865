package dev.nimbus.architecture;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The module dependency arrows of ARCHITECTURE.md section 1, and a checker that reads the
 * project as it is on disk: every module's pom (declared dependencies on other Nimbus modules)
 * and every main source file (references to dev.nimbus packages, mapped to the module whose
 * sources define that package).
 */
final class ModuleArrows {
    static final Set<String> ADAPTERS = Set.of(
            "nimbus-convex", "nimbus-firebase", "nimbus-cloud-functions", "nimbus-mongodb", "nimbus-dynamodb");

    /** Which Nimbus modules a module may depend on. Modules not listed may depend on nothing. */
    static Set<String> allowed(String module) {
        if (ADAPTERS.contains(module)) {
            return Set.of("nimbus-core", "nimbus-engine");
        }
        Set<String> belowServer = new TreeSet<>(Set.of("nimbus-core", "nimbus-storage", "nimbus-engine", "nimbus-runtime"));
        belowServer.addAll(ADAPTERS);
        return switch (module) {
            case "nimbus-core" -> Set.of();
            case "nimbus-storage" -> Set.of("nimbus-core");
            case "nimbus-engine" -> Set.of("nimbus-core", "nimbus-storage");
            case "nimbus-runtime" -> Set.of("nimbus-core");
            case "nimbus-server" -> belowServer;
            case "nimbus-cli" -> union(belowServer, Set.of("nimbus-server"));
            case "nimbus-bench" -> union(belowServer, Set.of("nimbus-server", "nimbus-cli"));
            default -> Set.of();
        };
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    /** A module of the build: its name and its directory. */
    record Module(String name, Path dir) {
    }

    /** Every jar module reachable from the root pom's module lists (aggregators are descended). */
    static List<Module> modules(Path root) throws Exception {
        List<Module> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Path dir, List<Module> out) throws Exception {
        Element pom = parse(dir.resolve("pom.xml"));
        NodeList modules = pom.getElementsByTagName("module");
        String packaging = text(pom, "packaging");
        if (!"pom".equals(packaging)) {
            out.add(new Module(text(pom, "artifactId"), dir));
        }
        for (int i = 0; i < modules.getLength(); i++) {
            collect(dir.resolve(modules.item(i).getTextContent().trim()), out);
        }
    }

    /** Nimbus modules a pom declares as dependencies (any scope but test). */
    static Set<String> declaredDependencies(Module m) throws Exception {
        Element pom = parse(m.dir().resolve("pom.xml"));
        Set<String> out = new TreeSet<>();
        NodeList deps = pom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (d.getParentNode().getParentNode() != pom) {
                continue; // dependencyManagement or plugin dependencies
            }
            String artifact = childText(d, "artifactId");
            String scope = childText(d, "scope");
            if ("dev.nimbus".equals(childText(d, "groupId")) && !"test".equals(scope)) {
                out.add(artifact);
            }
        }
        return out;
    }

    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.nimbus\\.([a-z0-9_]+(?:\\.[a-z0-9_]+)*)");

    /** package name -> module whose main sources declare it. */
    static Map<String, String> packageOwners(List<Module> modules) throws IOException {
        Map<String, String> owners = new HashMap<>();
        for (Module m : modules) {
            for (Path f : javaFiles(m)) {
                Matcher pkg = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;").matcher(Files.readString(f));
                if (pkg.find()) {
                    owners.putIfAbsent(pkg.group(1), m.name());
                }
            }
        }
        return owners;
    }

    /** Nimbus modules a module's main sources refer to, by package ownership. */
    static Map<String, Path> referencedModules(Module m, Map<String, String> owners) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Path f : javaFiles(m)) {
            Matcher r = REFERENCE.matcher(Files.readString(f));
            while (r.find()) {
                String owner = ownerOf("dev.nimbus." + r.group(1), owners);
                if (owner != null && !owner.equals(m.name())) {
                    out.putIfAbsent(owner, f);
                }
            }
        }
        return out;
    }

    private static String ownerOf(String reference, Map<String, String> owners) {
        // Longest declared package that prefixes the reference (a class name may follow).
        String best = null;
        for (String pkg : owners.keySet()) {
            if ((reference.equals(pkg) || reference.startsWith(pkg + "."))
                    && (best == null || pkg.length() > best.length())) {
                best = pkg;
            }
        }
        return best == null ? null : owners.get(best);
    }

    /** Every broken arrow, as a sentence. Empty when the build follows the design. */
    static List<String> violations(Path root) throws Exception {
        List<Module> modules = modules(root);
        Map<String, String> owners = packageOwners(modules);
        List<String> out = new ArrayList<>();
        for (Module m : modules) {
            Set<String> allowed = allowed(m.name());
            for (String dep : declaredDependencies(m)) {
                if (!allowed.contains(dep)) {
                    out.add(m.name() + "/pom.xml depends on " + dep + ", but " + m.name() + " may only depend on " + allowed);
                }
            }
            for (Map.Entry<String, Path> ref : referencedModules(m, owners).entrySet()) {
                if (!allowed.contains(ref.getKey())) {
                    out.add(root.relativize(ref.getValue()) + " uses " + ref.getKey() + ", but " + m.name()
                            + " may only depend on " + allowed);
                }
            }
        }
        return out;
    }

    private static List<Path> javaFiles(Module m) throws IOException {
        Path src = m.dir().resolve("src/main/java");
        if (!Files.isDirectory(src)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(src)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static Element parse(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    private static String text(Element project, String child) {
        return childText(project, child);
    }

    private static String childText(Element parent, String name) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }
}
