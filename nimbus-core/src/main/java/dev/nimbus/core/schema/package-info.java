/** Per-table schemas in Nimbus's format: field rules, indexes and access policies. */
package dev.nimbus.core.schema;
