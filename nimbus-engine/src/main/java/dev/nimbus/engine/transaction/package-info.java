/** Optimistic transactions: snapshot reads with a recorded read set, staged writes, one commit. */
package dev.nimbus.engine.transaction;
