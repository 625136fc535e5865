/** Consistency checks of a tenant: index entries against documents, documents against the journal. */
package dev.nimbus.engine.verify;
