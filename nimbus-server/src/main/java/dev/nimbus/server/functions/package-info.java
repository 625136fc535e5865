/**
 * Functions on the server: the {@code HostBridge} over the engine, deployments stored in each
 * tenant's store, the deploy admin route, the call routes, scheduled functions and query-function
 * subscriptions.
 */
package dev.nimbus.server.functions;
