package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The functions a bundle defines, found by loading its modules at deploy time (definitions are
 * data: {@code query({args, handler})} returns a tagged object, so nothing user-written runs
 * beyond module top level). Serialised as {@code {"functions":[{name, kind, visibility}]}}.
 */
public record Manifest(Map<String, FunctionSpec> functions) {
    public Manifest {
        functions = Map.copyOf(functions);
    }

    public static Manifest of(List<FunctionSpec> specs) {
        Map<String, FunctionSpec> m = new LinkedHashMap<>();
        specs.forEach(s -> m.put(s.name(), s));
        return new Manifest(m);
    }

    public Optional<FunctionSpec> function(String name) {
        return Optional.ofNullable(functions.get(normalise(name)));
    }

    /** Accepts {@code module:export}, {@code module.js:export} and {@code module} (= default export). */
    public static String normalise(String name) {
        String n = name.replace('\\', '/');
        int colon = n.indexOf(':');
        String module = colon < 0 ? n : n.substring(0, colon);
        String export = colon < 0 ? "default" : n.substring(colon + 1);
        for (String ext : List.of(".mjs", ".js", ".ts", ".mts")) {
            if (module.endsWith(ext)) {
                module = module.substring(0, module.length() - ext.length());
                break;
            }
        }
        if (module.startsWith("./")) {
            module = module.substring(2);
        }
        return module + ":" + export;
    }

    public String toJson() {
        List<Value> list = new ArrayList<>();
        functions.values().stream().sorted(java.util.Comparator.comparing(FunctionSpec::name)).forEach(s ->
                list.add(new Value.Obj(Map.of("name", Value.of(s.name()), "kind", Value.of(s.kind().wireName()),
                        "visibility", Value.of(s.internal() ? "internal" : "public")))));
        return ValueJson.write(new Value.Obj(Map.of("functions", new Value.Array(list))));
    }

    public static Manifest fromJson(String json) {
        if (!(ValueJson.read(json) instanceof Value.Obj root) || !(root.fields().get("functions") instanceof Value.Array arr)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a manifest is {\"functions\":[...]}");
        }
        List<FunctionSpec> specs = new ArrayList<>();
        for (Value v : arr.elements()) {
            if (!(v instanceof Value.Obj o) || !(o.fields().get("name") instanceof Value.Str name)
                    || !(o.fields().get("kind") instanceof Value.Str kind)) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "each manifest function needs a name and a kind");
            }
            boolean internal = o.fields().get("visibility") instanceof Value.Str vis && vis.value().equals("internal");
            specs.add(new FunctionSpec(name.value(), FunctionKind.fromWireName(kind.value()), internal));
        }
        return of(specs);
    }
}
