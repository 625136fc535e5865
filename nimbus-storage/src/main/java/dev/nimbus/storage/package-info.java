/** The storage contract between the engine and every provider: tenants, snapshots, one writer. */
package dev.nimbus.storage;
