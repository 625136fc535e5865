/** The native HTTP API: Nimbus's routes, bodies and status codes over the engine. */
package dev.nimbus.server.api;
