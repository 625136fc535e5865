/** Filter evaluation, query planning and execution over snapshots. */
package dev.nimbus.engine.query;
