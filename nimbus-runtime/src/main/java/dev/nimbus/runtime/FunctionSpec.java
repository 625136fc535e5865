package dev.nimbus.runtime;

import java.util.Objects;

/**
 * One function of a bundle, as its manifest lists it.
 *
 * @param name     {@code module:export}, e.g. {@code messages:send} for {@code export const send} in
 *                 {@code messages.js}; the default export is {@code module:default}
 * @param internal declared with an {@code internal*} constructor: callable only from other
 *                 functions and the scheduler, never from a client
 */
public record FunctionSpec(String name, FunctionKind kind, boolean internal) {
    public FunctionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }

    /** The module path part of {@link #name()}. */
    public String module() {
        return name.substring(0, name.indexOf(':'));
    }

    /** The export part of {@link #name()}. */
    public String export() {
        return name.substring(name.indexOf(':') + 1);
    }
}
