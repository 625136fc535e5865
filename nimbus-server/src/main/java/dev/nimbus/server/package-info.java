/** The server: bootstrap of storage, engine and the Netty transport. */
package dev.nimbus.server;
