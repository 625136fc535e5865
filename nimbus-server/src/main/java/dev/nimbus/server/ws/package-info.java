/** The native WebSocket protocol nimbus.v2: handshake, live query subscriptions. */
package dev.nimbus.server.ws;
