/** The control plane: the tenant registry and usage ledger in nimbus-control.db, server discovery and the system routes. */
package dev.nimbus.server.control;
