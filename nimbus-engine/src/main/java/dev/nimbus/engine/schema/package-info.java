/** Schema validation of writes and the compiled access policies of tables. */
package dev.nimbus.engine.schema;
