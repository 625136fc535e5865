package dev.nimbus.runtime;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import java.util.Map;

/**
 * One GraalJS context with a bundle's modules loaded: module namespaces by module name, the
 * prelude's invoke function, and the host object it calls. Used by one thread at a time.
 */
record PooledContext(Context context, JsHost host, Value invoke, Map<String, Value> modules) {
}
