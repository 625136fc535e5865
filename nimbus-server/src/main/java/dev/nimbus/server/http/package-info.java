/** The HTTP transport: request decoding, body limits, routing, the error envelope. */
package dev.nimbus.server.http;
