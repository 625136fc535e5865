/** The default storage provider: one SQLite file per tenant in WAL mode, one writer, pooled readers. */
package dev.nimbus.storage.sqlite;
