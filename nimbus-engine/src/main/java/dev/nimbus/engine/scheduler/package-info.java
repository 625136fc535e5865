/** Durable scheduled jobs and interval crons, applied at most once per execution id. */
package dev.nimbus.engine.scheduler;
