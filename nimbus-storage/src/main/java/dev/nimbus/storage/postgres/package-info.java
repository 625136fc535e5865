/** The Postgres storage provider: a metadata schema plus one schema per tenant in one database, pooled. */
package dev.nimbus.storage.postgres;
