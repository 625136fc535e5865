/** The function runtime: GraalJS executor behind the one {@code HostBridge} interface. */
package dev.nimbus.runtime;
